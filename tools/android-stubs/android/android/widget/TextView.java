// COMPILE-TIME STUB ONLY (edgepack): the subset of the public API an app shell uses, with the
// signatures of the Android SDK API level 34. Every body throws; never packaged.
package android.widget;

import android.content.Context;
import android.text.method.MovementMethod;
import android.view.View;

public class TextView extends View {
  public TextView(Context context) {
    super(context);
  }

  public final void setText(CharSequence text) {
    throw new UnsupportedOperationException("stub");
  }

  public final void setText(int resid) {
    throw new UnsupportedOperationException("stub");
  }

  public CharSequence getText() {
    throw new UnsupportedOperationException("stub");
  }

  public final void append(CharSequence text) {
    throw new UnsupportedOperationException("stub");
  }

  public final void setHint(CharSequence hint) {
    throw new UnsupportedOperationException("stub");
  }

  public void setTextSize(float size) {
    throw new UnsupportedOperationException("stub");
  }

  public final void setMovementMethod(MovementMethod movement) {
    throw new UnsupportedOperationException("stub");
  }

  public void setTextIsSelectable(boolean selectable) {
    throw new UnsupportedOperationException("stub");
  }
}
