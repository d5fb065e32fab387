package org.jlivepatch.core.source;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;
import org.jlivepatch.core.classes.ClassSet;

/**
 * Compiles sources held in memory with the running JDK's javac against class sets held in memory:
 * nothing is read from or written to disk but the JDK's own platform classes. The class path is
 * exactly the given class sets, never the tool's own.
 */
public final class SourceCompiler {

  private SourceCompiler() {}

  /**
   * Compiles {@code sources}.
   *
   * @param which what is compiled, for messages: {@code original} or {@code patched}
   * @param sources source path (e.g. {@code com/x/Foo.java}) to text
   * @param classPath the class sets to compile against, first first where a class is in several
   * @param options javac options, e.g. {@code --release 8}, {@code -g}
   * @return every class file produced, keyed by binary name
   * @throws CompilationFailedException with javac's errors, each as {@code file:line: message}
   * @throws IllegalStateException if the running Java has no compiler
   */
  public static Map<String, byte[]> compile(String which, Map<String, String> sources, List<ClassSet> classPath,
      List<String> options) throws CompilationFailedException {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      throw new IllegalStateException("no Java compiler in this Java runtime: run jlivepatch on a JDK, not a JRE");
    }
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    StandardJavaFileManager standard = javac.getStandardFileManager(diagnostics, Locale.ROOT, null);
    try {
      // Otherwise javac falls back to java.class.path: the tool's own classes.
      standard.setLocation(StandardLocation.CLASS_PATH, List.of());
    } catch (IOException e) {
      throw new IllegalStateException("cannot clear javac's class path: " + e, e);
    }
    Map<String, ByteArrayOutputStream> outputs = new TreeMap<>();
    List<JavaFileObject> units = new ArrayList<>();
    sources.forEach((path, text) -> units.add(new SourceText(path, text)));
    StringWriter log = new StringWriter();
    boolean ok;
    try (InMemoryFileManager manager = new InMemoryFileManager(standard, classPath, outputs)) {
      ok = javac.getTask(log, manager, diagnostics, options, null, units).call();
    } catch (IOException e) {
      throw new IllegalStateException("javac's file manager failed: " + e, e);
    }
    if (!ok) {
      List<String> errors = new ArrayList<>();
      for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
        if (d.getKind() == Diagnostic.Kind.ERROR) {
          String file = d.getSource() == null ? "javac" : d.getSource().getName();
          String line = d.getLineNumber() > 0 ? ":" + d.getLineNumber() : "";
          errors.add(file + line + ": " + d.getMessage(Locale.ROOT).lines().findFirst().orElse(""));
        }
      }
      if (errors.isEmpty()) {
        errors.add("javac: " + log.toString().strip().lines().findFirst().orElse("failed without a message"));
      }
      throw new CompilationFailedException(which, errors);
    }
    Map<String, byte[]> classes = new TreeMap<>();
    outputs.forEach((name, bytes) -> classes.put(name, bytes.toByteArray()));
    return classes;
  }

  /** A source file held as text; its name is its path, so javac's messages name it. */
  private static final class SourceText extends SimpleJavaFileObject {
    private final String path;
    private final String text;

    SourceText(String path, String text) {
      super(URI.create("jlp-source:///" + path.replace('\\', '/').replace(" ", "%20")), Kind.SOURCE);
      this.path = path;
      this.text = text;
    }

    @Override
    public String getName() {
      return path;
    }

    @Override
    public CharSequence getCharContent(boolean ignoreEncodingErrors) {
      return text;
    }
  }

  /** A class file of a class set, as javac sees the class path. */
  private static final class ClassBytes extends SimpleJavaFileObject {
    private final String binaryName;
    private final byte[] bytes;

    ClassBytes(String binaryName, byte[] bytes) {
      super(URI.create("jlp-class:///" + binaryName.replace('.', '/') + Kind.CLASS.extension), Kind.CLASS);
      this.binaryName = binaryName;
      this.bytes = bytes;
    }

    @Override
    public InputStream openInputStream() {
      return new ByteArrayInputStream(bytes);
    }
  }

  /** Lists the class sets as javac's class path and keeps javac's output in memory. */
  private static final class InMemoryFileManager extends ForwardingJavaFileManager<StandardJavaFileManager> {
    /** Package name to its classes, first class set first. */
    private final Map<String, Map<String, ClassBytes>> packages = new HashMap<>();
    private final Map<String, ByteArrayOutputStream> outputs;

    InMemoryFileManager(StandardJavaFileManager standard, List<ClassSet> classPath,
        Map<String, ByteArrayOutputStream> outputs) {
      super(standard);
      this.outputs = outputs;
      for (ClassSet set : classPath) {
        set.classes().forEach((name, bytes) -> {
          int dot = name.lastIndexOf('.');
          String pkg = dot < 0 ? "" : name.substring(0, dot);
          packages.computeIfAbsent(pkg, p -> new TreeMap<>()).putIfAbsent(name, new ClassBytes(name, bytes));
        });
      }
    }

    @Override
    public Iterable<JavaFileObject> list(Location location, String packageName, Set<JavaFileObject.Kind> kinds,
        boolean recurse) throws IOException {
      if (location != StandardLocation.CLASS_PATH) {
        return super.list(location, packageName, kinds, recurse);
      }
      List<JavaFileObject> found = new ArrayList<>();
      if (!kinds.contains(JavaFileObject.Kind.CLASS)) {
        return found;
      }
      packages.forEach((pkg, classes) -> {
        if (pkg.equals(packageName) || (recurse && pkg.startsWith(packageName + "."))) {
          found.addAll(classes.values());
        }
      });
      return found;
    }

    @Override
    public String inferBinaryName(Location location, JavaFileObject file) {
      return file instanceof ClassBytes classBytes ? classBytes.binaryName : super.inferBinaryName(location, file);
    }

    @Override
    public boolean hasLocation(Location location) {
      return location == StandardLocation.CLASS_PATH || super.hasLocation(location);
    }

    @Override
    public boolean isSameFile(FileObject a, FileObject b) {
      if (a instanceof SimpleJavaFileObject || b instanceof SimpleJavaFileObject) {
        return a == b;
      }
      return super.isSameFile(a, b);
    }

    @Override
    public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind,
        FileObject sibling) {
      return new SimpleJavaFileObject(URI.create("jlp-output:///" + className.replace('.', '/') + kind.extension), kind) {
        @Override
        public OutputStream openOutputStream() {
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          outputs.put(className, out);
          return out;
        }
      };
    }
  }
}
