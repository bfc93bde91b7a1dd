// COMPILE-TIME STUB ONLY. Not the ExecuTorch runtime: every body throws, nothing here is
// packaged into an app. edgepack compiles generated Kotlin against it on hosts without the SDK.
// Upstream API: pytorch/executorch
//   extension/android/executorch_android/src/main/java/org/pytorch/executorch/Module.kt
// Public JVM signatures checked against tag v1.4.1 (commit e4d02f41f7909e8ed5bf4a14ffc520d733453d9f),
// see tools/android-stubs/executorch/SIGNATURES.txt and tools/stubs.py.
package org.pytorch.executorch;

import java.io.Closeable;

public class Module implements Closeable {
  public static final int LOAD_MODE_FILE = 0;
  public static final int LOAD_MODE_MMAP = 1;
  public static final int LOAD_MODE_MMAP_USE_MLOCK = 2;
  public static final int LOAD_MODE_MMAP_USE_MLOCK_IGNORE_ERRORS = 3;

  private Module() {}

  public static Module load(String modelPath) {
    throw new UnsupportedOperationException("stub");
  }

  public static Module load(String modelPath, int loadMode) {
    throw new UnsupportedOperationException("stub");
  }

  public static Module load(String modelPath, int loadMode, int numThreads) {
    throw new UnsupportedOperationException("stub");
  }

  public static String[] readLogBufferStatic() {
    throw new UnsupportedOperationException("stub");
  }

  public EValue[] forward(EValue... inputs) {
    throw new UnsupportedOperationException("stub");
  }

  public EValue[] execute(String methodName, EValue... inputs) {
    throw new UnsupportedOperationException("stub");
  }

  public void loadMethod(String methodName) {
    throw new UnsupportedOperationException("stub");
  }

  public String[] getMethods() {
    throw new UnsupportedOperationException("stub");
  }

  public MethodMetadata getMethodMetadata(String name) {
    throw new UnsupportedOperationException("stub");
  }

  public String[] readLogBuffer() {
    throw new UnsupportedOperationException("stub");
  }

  public boolean etdump() {
    throw new UnsupportedOperationException("stub");
  }

  public boolean etdump(String outputPath) {
    throw new UnsupportedOperationException("stub");
  }

  public void destroy() {
    throw new UnsupportedOperationException("stub");
  }

  @Override
  public void close() {
    throw new UnsupportedOperationException("stub");
  }
}
