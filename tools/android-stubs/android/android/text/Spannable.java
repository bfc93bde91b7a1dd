// COMPILE-TIME STUB ONLY (edgepack): the subset of the public API an app shell uses, with the
// signatures of the Android SDK API level 34. Every body throws; never packaged.
package android.text;

public interface Spannable extends Spanned {
  void setSpan(Object what, int start, int end, int flags);
}
