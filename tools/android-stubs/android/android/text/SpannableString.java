// COMPILE-TIME STUB ONLY (edgepack): the subset of the public API an app shell uses, with the
// signatures of the Android SDK API level 34. Every body throws; never packaged.
package android.text;

public class SpannableString implements CharSequence, Spannable {
  public SpannableString(CharSequence source) {
    throw new UnsupportedOperationException("stub");
  }

  @Override
  public void setSpan(Object what, int start, int end, int flags) {
    throw new UnsupportedOperationException("stub");
  }

  @Override
  public final int length() {
    throw new UnsupportedOperationException("stub");
  }

  @Override
  public final char charAt(int i) {
    throw new UnsupportedOperationException("stub");
  }

  @Override
  public final CharSequence subSequence(int start, int end) {
    throw new UnsupportedOperationException("stub");
  }

  @Override
  public final String toString() {
    throw new UnsupportedOperationException("stub");
  }
}
