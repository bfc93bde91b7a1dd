// COMPILE-TIME STUB ONLY (edgepack): the subset of the public API an app shell uses, with the
// signatures of the Android SDK API level 34. Every body throws; never packaged.
package android.util;

public final class Log {
  private Log() {}

  public static int v(String tag, String msg) {
    throw new UnsupportedOperationException("stub");
  }

  public static int d(String tag, String msg) {
    throw new UnsupportedOperationException("stub");
  }

  public static int i(String tag, String msg) {
    throw new UnsupportedOperationException("stub");
  }

  public static int w(String tag, String msg) {
    throw new UnsupportedOperationException("stub");
  }

  public static int w(String tag, String msg, Throwable tr) {
    throw new UnsupportedOperationException("stub");
  }

  public static int e(String tag, String msg) {
    throw new UnsupportedOperationException("stub");
  }

  public static int e(String tag, String msg, Throwable tr) {
    throw new UnsupportedOperationException("stub");
  }
}
