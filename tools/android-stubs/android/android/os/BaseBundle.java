// COMPILE-TIME STUB ONLY (edgepack): the subset of the public API an app shell uses, with the
// signatures of the Android SDK API level 34. Every body throws; never packaged.
package android.os;

public class BaseBundle {
  BaseBundle() {}

  public boolean containsKey(String key) {
    throw new UnsupportedOperationException("stub");
  }

  public String getString(String key) {
    throw new UnsupportedOperationException("stub");
  }

  public String getString(String key, String defaultValue) {
    throw new UnsupportedOperationException("stub");
  }

  public void putString(String key, String value) {
    throw new UnsupportedOperationException("stub");
  }
}
