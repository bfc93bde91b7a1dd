// COMPILE-TIME STUB ONLY (edgepack): the subset of the public API an app shell uses, with the
// signatures of the Android SDK API level 34. Every body throws; never packaged.
package android.text.method;

public class LinkMovementMethod implements MovementMethod {
  public LinkMovementMethod() {}

  public static MovementMethod getInstance() {
    throw new UnsupportedOperationException("stub");
  }
}
