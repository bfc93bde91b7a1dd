// COMPILE-TIME STUB ONLY (edgepack): the subset of the public API an app shell uses, with the
// signatures of the Android SDK API level 34. Every body throws; never packaged.
package android.app;

import android.content.Context;

public class Instrumentation {
  public Instrumentation() {}

  public Context getContext() {
    throw new UnsupportedOperationException("stub");
  }

  public Context getTargetContext() {
    throw new UnsupportedOperationException("stub");
  }
}
