// COMPILE-TIME STUB ONLY (edgepack): the subset of the public API an app shell uses, with the
// signatures of the Android SDK API level 34. Every body throws; never packaged.
package android.os;

public final class SystemClock {
  private SystemClock() {}

  public static long uptimeMillis() {
    throw new UnsupportedOperationException("stub");
  }

  public static long elapsedRealtime() {
    throw new UnsupportedOperationException("stub");
  }

  public static long elapsedRealtimeNanos() {
    throw new UnsupportedOperationException("stub");
  }
}
