// COMPILE-TIME STUB ONLY (edgepack): the subset of the public API an app shell uses, with the
// signatures of the Android SDK API level 34. Every body throws; never packaged.
package android.content;

import android.content.res.AssetManager;
import java.io.File;

public class ContextWrapper extends Context {
  public ContextWrapper(Context base) {
    throw new UnsupportedOperationException("stub");
  }

  @Override
  public AssetManager getAssets() {
    throw new UnsupportedOperationException("stub");
  }

  @Override
  public File getFilesDir() {
    throw new UnsupportedOperationException("stub");
  }

  @Override
  public File getCacheDir() {
    throw new UnsupportedOperationException("stub");
  }

  @Override
  public String getPackageName() {
    throw new UnsupportedOperationException("stub");
  }

  @Override
  public Context getApplicationContext() {
    throw new UnsupportedOperationException("stub");
  }
}
