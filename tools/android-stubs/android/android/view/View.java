// COMPILE-TIME STUB ONLY (edgepack): the subset of the public API an app shell uses, with the
// signatures of the Android SDK API level 34. Every body throws; never packaged.
package android.view;

import android.content.Context;

public class View {
  public static final int VISIBLE = 0x00000000;
  public static final int INVISIBLE = 0x00000004;
  public static final int GONE = 0x00000008;

  public interface OnClickListener {
    void onClick(View v);
  }

  public View(Context context) {
    throw new UnsupportedOperationException("stub");
  }

  public void setOnClickListener(View.OnClickListener l) {
    throw new UnsupportedOperationException("stub");
  }

  public final <T extends View> T findViewById(int id) {
    throw new UnsupportedOperationException("stub");
  }

  public int getId() {
    throw new UnsupportedOperationException("stub");
  }

  public final Context getContext() {
    throw new UnsupportedOperationException("stub");
  }

  public void setEnabled(boolean enabled) {
    throw new UnsupportedOperationException("stub");
  }

  public boolean isEnabled() {
    throw new UnsupportedOperationException("stub");
  }

  public void setVisibility(int visibility) {
    throw new UnsupportedOperationException("stub");
  }

  public int getVisibility() {
    throw new UnsupportedOperationException("stub");
  }

  public boolean post(Runnable action) {
    throw new UnsupportedOperationException("stub");
  }
}
