// COMPILE-TIME STUB ONLY (edgepack): the subset of the public API an app shell uses, with the
// signatures of the Android SDK API level 34. Every body throws; never packaged.
package android.content.res;

import java.io.IOException;
import java.io.InputStream;

public final class AssetManager implements AutoCloseable {
  public static final int ACCESS_UNKNOWN = 0;
  public static final int ACCESS_RANDOM = 1;
  public static final int ACCESS_STREAMING = 2;
  public static final int ACCESS_BUFFER = 3;

  private AssetManager() {}

  public InputStream open(String fileName) throws IOException {
    throw new UnsupportedOperationException("stub");
  }

  public InputStream open(String fileName, int accessMode) throws IOException {
    throw new UnsupportedOperationException("stub");
  }

  public String[] list(String path) throws IOException {
    throw new UnsupportedOperationException("stub");
  }

  @Override
  public void close() {
    throw new UnsupportedOperationException("stub");
  }
}
