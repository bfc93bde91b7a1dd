// COMPILE-TIME STUB ONLY (edgepack): the subset of the public API an app shell uses, with the
// signatures of the Android SDK API level 34. Every body throws; never packaged.
package android.view;

import android.content.Context;

public abstract class ViewGroup extends View {
  public ViewGroup(Context context) {
    super(context);
  }

  public void addView(View child) {
    throw new UnsupportedOperationException("stub");
  }

  public void removeAllViews() {
    throw new UnsupportedOperationException("stub");
  }

  public int getChildCount() {
    throw new UnsupportedOperationException("stub");
  }
}
