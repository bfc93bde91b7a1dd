// COMPILE-TIME STUB ONLY (edgepack): the subset of the public API an app shell uses, with the
// signatures of the Android SDK API level 34. Every body throws; never packaged.
package android.content;

import android.content.res.AssetManager;
import java.io.File;

public abstract class Context {
  public Context() {}

  public abstract AssetManager getAssets();

  public abstract File getFilesDir();

  public abstract File getCacheDir();

  public abstract String getPackageName();

  public abstract Context getApplicationContext();

  public final String getString(int resId) {
    throw new UnsupportedOperationException("stub");
  }
}
