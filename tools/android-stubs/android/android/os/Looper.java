// COMPILE-TIME STUB ONLY (edgepack): the subset of the public API an app shell uses, with the
// signatures of the Android SDK API level 34. Every body throws; never packaged.
package android.os;

public final class Looper {
  private Looper() {}

  public static Looper getMainLooper() {
    throw new UnsupportedOperationException("stub");
  }

  public static Looper myLooper() {
    throw new UnsupportedOperationException("stub");
  }
}
