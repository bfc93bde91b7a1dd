// COMPILE-TIME STUB ONLY. Not the ExecuTorch runtime: every body throws, nothing here is
// packaged into an app. edgepack compiles generated Kotlin against it on hosts without the SDK.
// Upstream API: pytorch/executorch
//   extension/android/executorch_android/src/main/java/org/pytorch/executorch/DType.kt
// Public JVM signatures checked against tag v1.4.1 (commit e4d02f41f7909e8ed5bf4a14ffc520d733453d9f),
// see tools/android-stubs/executorch/SIGNATURES.txt and tools/stubs.py.
package org.pytorch.executorch;

public enum DType {
  UINT8(0),
  INT8(1),
  INT16(2),
  INT32(3),
  INT64(4),
  HALF(5),
  FLOAT(6),
  DOUBLE(7),
  COMPLEX_HALF(8),
  COMPLEX_FLOAT(9),
  COMPLEX_DOUBLE(10),
  BOOL(11),
  QINT8(12),
  QUINT8(13),
  QINT32(14),
  BFLOAT16(15),
  QINT4X2(16),
  QINT2X4(17),
  BITS1X8(18),
  BITS2X4(19),
  BITS4X2(20),
  BITS8(21),
  BITS16(22);

  public final int jniCode;

  DType(int jniCode) {
    this.jniCode = jniCode;
  }

  public static DType fromJniCode(int jniCode) {
    throw new UnsupportedOperationException("stub");
  }
}
