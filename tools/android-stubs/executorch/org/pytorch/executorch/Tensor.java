// COMPILE-TIME STUB ONLY. Not the ExecuTorch runtime: every body throws, nothing here is
// packaged into an app. edgepack compiles generated Kotlin against it on hosts without the SDK.
// Upstream API: pytorch/executorch
//   extension/android/executorch_android/src/main/java/org/pytorch/executorch/Tensor.kt
// Public JVM signatures checked against tag v1.4.1 (commit e4d02f41f7909e8ed5bf4a14ffc520d733453d9f),
// see tools/android-stubs/executorch/SIGNATURES.txt and tools/stubs.py.
package org.pytorch.executorch;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;

public abstract class Tensor {
  protected final long[] shape;

  Tensor(long[] shape) {
    this.shape = shape;
  }

  public long numel() {
    throw new UnsupportedOperationException("stub");
  }

  public long[] shape() {
    throw new UnsupportedOperationException("stub");
  }

  public abstract DType dtype();

  public int dtypeJniCode() {
    throw new UnsupportedOperationException("stub");
  }

  public byte[] getDataAsByteArray() {
    throw new UnsupportedOperationException("stub");
  }

  public short[] getDataAsShortArray() {
    throw new UnsupportedOperationException("stub");
  }

  public byte[] getDataAsUnsignedByteArray() {
    throw new UnsupportedOperationException("stub");
  }

  public int[] getDataAsIntArray() {
    throw new UnsupportedOperationException("stub");
  }

  public float[] getDataAsFloatArray() {
    throw new UnsupportedOperationException("stub");
  }

  public long[] getDataAsLongArray() {
    throw new UnsupportedOperationException("stub");
  }

  public double[] getDataAsDoubleArray() {
    throw new UnsupportedOperationException("stub");
  }

  public void copyDataInto(FloatBuffer dst) {
    throw new UnsupportedOperationException("stub");
  }

  public void copyDataInto(ByteBuffer dst) {
    throw new UnsupportedOperationException("stub");
  }

  public void copyDataInto(IntBuffer dst) {
    throw new UnsupportedOperationException("stub");
  }

  public void copyDataInto(LongBuffer dst) {
    throw new UnsupportedOperationException("stub");
  }

  public void copyDataInto(DoubleBuffer dst) {
    throw new UnsupportedOperationException("stub");
  }

  public void copyDataInto(ShortBuffer dst) {
    throw new UnsupportedOperationException("stub");
  }

  public void copyDataIntoUnsigned(ByteBuffer dst) {
    throw new UnsupportedOperationException("stub");
  }

  public Buffer getRawDataBuffer() {
    throw new UnsupportedOperationException("stub");
  }

  public byte[] toByteArray() {
    throw new UnsupportedOperationException("stub");
  }

  public static ByteBuffer allocateByteBuffer(int numElements) {
    throw new UnsupportedOperationException("stub");
  }

  public static IntBuffer allocateIntBuffer(int numElements) {
    throw new UnsupportedOperationException("stub");
  }

  public static FloatBuffer allocateFloatBuffer(int numElements) {
    throw new UnsupportedOperationException("stub");
  }

  public static LongBuffer allocateLongBuffer(int numElements) {
    throw new UnsupportedOperationException("stub");
  }

  public static ShortBuffer allocateHalfBuffer(int numElements) {
    throw new UnsupportedOperationException("stub");
  }

  public static DoubleBuffer allocateDoubleBuffer(int numElements) {
    throw new UnsupportedOperationException("stub");
  }

  public static Tensor fromBlobUnsigned(byte[] data, long[] shape) {
    throw new UnsupportedOperationException("stub");
  }

  public static Tensor fromBlobUnsigned(ByteBuffer data, long[] shape) {
    throw new UnsupportedOperationException("stub");
  }

  public static Tensor fromBlob(byte[] data, long[] shape) {
    throw new UnsupportedOperationException("stub");
  }

  public static Tensor fromBlob(int[] data, long[] shape) {
    throw new UnsupportedOperationException("stub");
  }

  public static Tensor fromBlob(float[] data, long[] shape) {
    throw new UnsupportedOperationException("stub");
  }

  public static Tensor fromBlob(short[] data, long[] shape) {
    throw new UnsupportedOperationException("stub");
  }

  public static Tensor fromBlob(long[] data, long[] shape) {
    throw new UnsupportedOperationException("stub");
  }

  public static Tensor fromBlob(double[] data, long[] shape) {
    throw new UnsupportedOperationException("stub");
  }

  public static Tensor fromBlob(ByteBuffer data, long[] shape) {
    throw new UnsupportedOperationException("stub");
  }

  public static Tensor fromBlob(IntBuffer data, long[] shape) {
    throw new UnsupportedOperationException("stub");
  }

  public static Tensor fromBlob(FloatBuffer data, long[] shape) {
    throw new UnsupportedOperationException("stub");
  }

  public static Tensor fromBlob(ShortBuffer data, long[] shape) {
    throw new UnsupportedOperationException("stub");
  }

  public static Tensor fromBlob(LongBuffer data, long[] shape) {
    throw new UnsupportedOperationException("stub");
  }

  public static Tensor fromBlob(DoubleBuffer data, long[] shape) {
    throw new UnsupportedOperationException("stub");
  }

  public static Tensor ones(long[] shape, DType dtype) {
    throw new UnsupportedOperationException("stub");
  }

  public static Tensor zeros(long[] shape, DType dtype) {
    throw new UnsupportedOperationException("stub");
  }

  public static long numel(long[] shape) {
    throw new UnsupportedOperationException("stub");
  }

  public static Tensor fromByteArray(byte[] bytes) {
    throw new UnsupportedOperationException("stub");
  }
}
