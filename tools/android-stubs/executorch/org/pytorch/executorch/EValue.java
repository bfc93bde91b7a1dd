// COMPILE-TIME STUB ONLY. Not the ExecuTorch runtime: every body throws, nothing here is
// packaged into an app. edgepack compiles generated Kotlin against it on hosts without the SDK.
// Upstream API: pytorch/executorch
//   extension/android/executorch_android/src/main/java/org/pytorch/executorch/EValue.kt
// Public JVM signatures checked against tag v1.4.1 (commit e4d02f41f7909e8ed5bf4a14ffc520d733453d9f),
// see tools/android-stubs/executorch/SIGNATURES.txt and tools/stubs.py.
package org.pytorch.executorch;

public final class EValue {
  public final int mTypeCode;
  public Object mData;

  private EValue(int typeCode) {
    this.mTypeCode = typeCode;
  }

  public static EValue optionalNone() {
    throw new UnsupportedOperationException("stub");
  }

  public static EValue from(Tensor tensor) {
    throw new UnsupportedOperationException("stub");
  }

  public static EValue from(boolean value) {
    throw new UnsupportedOperationException("stub");
  }

  public static EValue from(long value) {
    throw new UnsupportedOperationException("stub");
  }

  public static EValue from(double value) {
    throw new UnsupportedOperationException("stub");
  }

  public static EValue from(String value) {
    throw new UnsupportedOperationException("stub");
  }

  public static EValue fromByteArray(byte[] bytes) {
    throw new UnsupportedOperationException("stub");
  }

  public boolean isNone() {
    throw new UnsupportedOperationException("stub");
  }

  public boolean isTensor() {
    throw new UnsupportedOperationException("stub");
  }

  public boolean isBool() {
    throw new UnsupportedOperationException("stub");
  }

  public boolean isInt() {
    throw new UnsupportedOperationException("stub");
  }

  public boolean isDouble() {
    throw new UnsupportedOperationException("stub");
  }

  public boolean isString() {
    throw new UnsupportedOperationException("stub");
  }

  public Tensor toTensor() {
    throw new UnsupportedOperationException("stub");
  }

  public boolean toBool() {
    throw new UnsupportedOperationException("stub");
  }

  public long toInt() {
    throw new UnsupportedOperationException("stub");
  }

  public double toDouble() {
    throw new UnsupportedOperationException("stub");
  }

  public String toStr() {
    throw new UnsupportedOperationException("stub");
  }

  public byte[] toByteArray() {
    throw new UnsupportedOperationException("stub");
  }
}
