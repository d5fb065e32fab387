package org.jlivepatch.cli;

import java.util.List;
import org.jlivepatch.core.classes.ClassSet;
import org.jlivepatch.core.diff.DiffResult;
import org.jlivepatch.core.stub.MethodStubs;
import org.jlivepatch.core.stub.StubSpecException;

/** {@code build --stub METHOD --returns WHAT}: an emergency stub of one vendor method. */
final class StubBuild {

  private StubBuild() {}

  /**
   * @throws CliException exit 2 when the spec names no single method
   */
  static DiffResult build(ClassSet vendor, List<ClassSet> classPath, String methodSpec, String returns) {
    try {
      return MethodStubs.build(vendor, classPath, methodSpec, returns);
    } catch (StubSpecException e) {
      throw new CliException(ExitCode.USAGE, e.getMessage(), e);
    }
  }
}
