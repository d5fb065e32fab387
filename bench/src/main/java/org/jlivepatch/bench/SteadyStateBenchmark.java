package org.jlivepatch.bench;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.ClassDefinition;
import java.lang.instrument.Instrumentation;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.jlivepatch.bench.perf.RawRedefineAgent;
import org.jlivepatch.bench.steady.DirectTrampolineWork;
import org.jlivepatch.bench.steady.DirectWork;
import org.jlivepatch.bench.steady.InPlaceWork;
import org.jlivepatch.bench.steady.LivePatch;
import org.jlivepatch.bench.steady.PatchedWork;
import org.jlivepatch.bench.steady.TrampolineWork;
import org.jlivepatch.core.model.ChangeKind;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.commons.ClassRemapper;
import org.objectweb.asm.commons.SimpleRemapper;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Figure 5, steady state: the same method body run as loaded from its class file
 * ({@link DirectWork}); after {@code Instrumentation.redefineClasses} switched it in
 * ({@link PatchedWork}, whose class file holds another body), the raw mechanism; and after a live
 * per-thread {@code jlivepatch apply} completed ({@link InPlaceWork}: the body ends spliced in
 * place). Beside them a body that calls a helper, loaded directly ({@link DirectTrampolineWork})
 * and after a per-thread apply into a class that lacks the helper ({@link TrampolineWork}: the
 * method becomes an entry redirect into a hidden class). The raw benchmark needs the
 * instrumentation: run its forks with {@code -javaagent:} a jar whose agent is
 * {@link RawRedefineAgent} (the perf run passes the floor jar); the jlivepatch ones need
 * {@code -Djlp.bench.agent=jlivepatch-agent.jar -Djdk.attach.allowAttachSelf=true} (see
 * {@link LivePatch}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SteadyStateBenchmark {

  /** The input: 1,000 random ints, the same in every fork. */
  @State(Scope.Thread)
  public static class Input {
    int[] data;

    @Setup
    public void fill() {
      data = new Random(42).ints(1000).toArray();
    }
  }

  /** The class as loaded. */
  @State(Scope.Benchmark)
  public static class Direct {
    final DirectWork work = new DirectWork();
  }

  /** The class redefined to {@link DirectWork}'s body before the warm-up. */
  @State(Scope.Benchmark)
  public static class Patched {
    final PatchedWork work = new PatchedWork();

    @Setup
    public void redefine() throws Exception {
      Instrumentation instrumentation = RawRedefineAgent.instrumentation;
      if (instrumentation == null) {
        throw new IllegalStateException("no instrumentation: run the fork with -javaagent:floor.jar");
      }
      int[] probe = {1, 2, 3};
      instrumentation.redefineClasses(new ClassDefinition(PatchedWork.class, directBodyAsPatchedWork()));
      if (work.hash(probe) != new DirectWork().hash(probe)) {
        throw new IllegalStateException("PatchedWork was not switched to DirectWork's body");
      }
    }

    /** DirectWork's class file with its name changed to PatchedWork. */
    private static byte[] directBodyAsPatchedWork() throws IOException {
      String direct = DirectWork.class.getName().replace('.', '/');
      try (InputStream in = DirectWork.class.getResourceAsStream("/" + direct + ".class")) {
        ClassReader reader = new ClassReader(in.readAllBytes());
        ClassWriter writer = new ClassWriter(0);
        reader.accept(new ClassRemapper(writer, new SimpleRemapper(direct, PatchedWork.class.getName().replace('.', '/'))), 0);
        return writer.toByteArray();
      }
    }
  }

  /** {@link InPlaceWork} after a live per-thread apply of {@link DirectWork}'s body has completed. */
  @State(Scope.Benchmark)
  public static class InPlace {
    final InPlaceWork work = new InPlaceWork();

    @Setup
    public void apply() throws Exception {
      LivePatch.apply(InPlaceWork.class, DirectWork.class, ChangeKind.IN_PLACE);
      int[] probe = {1, 2, 3};
      if (work.hash(probe) != new DirectWork().hash(probe)) {
        throw new IllegalStateException("InPlaceWork does not run DirectWork's body after the apply");
      }
    }
  }

  /** {@link DirectTrampolineWork} as loaded. */
  @State(Scope.Benchmark)
  public static class TrampolineDirect {
    final DirectTrampolineWork work = new DirectTrampolineWork();
  }

  /** {@link TrampolineWork} after a live per-thread apply of {@link DirectTrampolineWork}'s code has completed. */
  @State(Scope.Benchmark)
  public static class Trampolined {
    final TrampolineWork work = new TrampolineWork();

    @Setup
    public void apply() throws Exception {
      LivePatch.apply(TrampolineWork.class, DirectTrampolineWork.class, ChangeKind.TRAMPOLINE);
      int[] probe = {1, 2, 3};
      if (work.hash(probe) != new DirectTrampolineWork().hash(probe)) {
        throw new IllegalStateException("TrampolineWork does not run DirectTrampolineWork's code after the apply");
      }
    }
  }

  /** The method as loaded. */
  @Benchmark
  public int loadedDirectly(Direct direct, Input input) {
    return direct.work.hash(input.data);
  }

  /** The same method body after a redefinition. */
  @Benchmark
  public int redefined(Patched patched, Input input) {
    return patched.work.hash(input.data);
  }

  /** The same method body after a per-thread jlivepatch apply, in place. */
  @Benchmark
  public int inPlacePerThread(InPlace patched, Input input) {
    return patched.work.hash(input.data);
  }

  /** A body calling a private helper, as loaded. */
  @Benchmark
  public int trampolineLoadedDirectly(TrampolineDirect direct, Input input) {
    return direct.work.hash(input.data);
  }

  /** The same code after a per-thread jlivepatch apply, through an entry redirect into a hidden class. */
  @Benchmark
  public int trampolinePerThread(Trampolined patched, Input input) {
    return patched.work.hash(input.data);
  }
}
