// COMPILE-TIME STUB ONLY (edgepack): the subset of the public API an app shell uses, with the
// signatures of the Android SDK API level 34. Every body throws; never packaged.
package android.app;

import android.os.Bundle;
import android.view.ContextThemeWrapper;
import android.view.View;

public class Activity extends ContextThemeWrapper {
  public Activity() {}

  protected void onCreate(Bundle savedInstanceState) {
    throw new UnsupportedOperationException("stub");
  }

  protected void onStart() {
    throw new UnsupportedOperationException("stub");
  }

  protected void onResume() {
    throw new UnsupportedOperationException("stub");
  }

  protected void onPause() {
    throw new UnsupportedOperationException("stub");
  }

  protected void onStop() {
    throw new UnsupportedOperationException("stub");
  }

  protected void onDestroy() {
    throw new UnsupportedOperationException("stub");
  }

  public void setContentView(int layoutResID) {
    throw new UnsupportedOperationException("stub");
  }

  public void setContentView(View view) {
    throw new UnsupportedOperationException("stub");
  }

  public <T extends View> T findViewById(int id) {
    throw new UnsupportedOperationException("stub");
  }

  public final void runOnUiThread(Runnable action) {
    throw new UnsupportedOperationException("stub");
  }

  public void setTitle(CharSequence title) {
    throw new UnsupportedOperationException("stub");
  }

  public void finish() {
    throw new UnsupportedOperationException("stub");
  }
}
