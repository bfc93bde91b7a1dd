// COMPILE-TIME STUB ONLY (edgepack): the subset of the public API an app shell uses, with the
// signatures of the Android SDK API level 34. Every body throws; never packaged.
package android.os;

public class Handler {
  public Handler(Looper looper) {
    throw new UnsupportedOperationException("stub");
  }

  public final boolean post(Runnable r) {
    throw new UnsupportedOperationException("stub");
  }
}
