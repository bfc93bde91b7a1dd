// COMPILE-TIME STUB ONLY (edgepack): the subset of the public API an app shell uses, with the
// signatures of the Android SDK API level 34. Every body throws; never packaged.
package android.widget;

import android.content.Context;
import android.text.Editable;

public class EditText extends TextView {
  public EditText(Context context) {
    super(context);
  }

  @Override
  public Editable getText() {
    throw new UnsupportedOperationException("stub");
  }

  public void setSelection(int index) {
    throw new UnsupportedOperationException("stub");
  }
}
