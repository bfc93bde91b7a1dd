// COMPILE-TIME STUB ONLY (edgepack): the subset of the public API an app shell uses, with the
// signatures of the Android SDK API level 34. Every body throws; never packaged.
package android.text;

public interface Editable extends CharSequence, Spannable, Appendable {
  Editable append(CharSequence text);

  Editable append(CharSequence text, int start, int end);

  Editable append(char text);

  void clear();
}
