// COMPILE-TIME STUB ONLY (edgepack): the subset of the public API an app's instrumented test uses,
// with the signatures of androidx.test.ext:junit 1.1.5 (Android API 34 toolchain). Every body throws; never packaged.
package androidx.test.ext.junit.runners;

import org.junit.runner.Description;
import org.junit.runner.Runner;
import org.junit.runner.manipulation.Filter;
import org.junit.runner.manipulation.Filterable;
import org.junit.runner.manipulation.NoTestsRemainException;
import org.junit.runner.manipulation.Sortable;
import org.junit.runner.manipulation.Sorter;
import org.junit.runner.notification.RunNotifier;
import org.junit.runners.model.InitializationError;

public final class AndroidJUnit4 extends Runner implements Filterable, Sortable {
  public AndroidJUnit4(Class<?> klass) throws InitializationError {
    throw new UnsupportedOperationException("stub");
  }

  @Override
  public Description getDescription() {
    throw new UnsupportedOperationException("stub");
  }

  @Override
  public void run(RunNotifier notifier) {
    throw new UnsupportedOperationException("stub");
  }

  @Override
  public void filter(Filter filter) throws NoTestsRemainException {
    throw new UnsupportedOperationException("stub");
  }

  @Override
  public void sort(Sorter sorter) {
    throw new UnsupportedOperationException("stub");
  }
}
