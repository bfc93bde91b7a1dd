// COMPILE-TIME STUB ONLY (edgepack): the subset of the public API an app shell uses, with the
// signatures of the Android SDK API level 34. Every body throws; never packaged.
package android.widget;

import android.content.Context;
import android.view.ViewGroup;

public class LinearLayout extends ViewGroup {
  public static final int HORIZONTAL = 0;
  public static final int VERTICAL = 1;

  public LinearLayout(Context context) {
    super(context);
  }

  public void setOrientation(int orientation) {
    throw new UnsupportedOperationException("stub");
  }

  public int getOrientation() {
    throw new UnsupportedOperationException("stub");
  }
}
