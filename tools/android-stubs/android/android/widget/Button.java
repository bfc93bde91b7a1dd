// COMPILE-TIME STUB ONLY (edgepack): the subset of the public API an app shell uses, with the
// signatures of the Android SDK API level 34. Every body throws; never packaged.
package android.widget;

import android.content.Context;

public class Button extends TextView {
  public Button(Context context) {
    super(context);
  }
}
