// COMPILE-TIME STUB ONLY (edgepack): the subset of the public API an app's instrumented test uses,
// with the signatures of androidx.test:monitor 1.6 (Android API 34 toolchain). Every body throws; never packaged.
package androidx.test.platform.app;

import android.app.Instrumentation;
import android.os.Bundle;

public final class InstrumentationRegistry {
  private InstrumentationRegistry() {}

  public static Instrumentation getInstrumentation() {
    throw new UnsupportedOperationException("stub");
  }

  public static Bundle getArguments() {
    throw new UnsupportedOperationException("stub");
  }
}
