package org.jlivepatch.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles fixture sources in memory with the running JDK's javac, so that tests build the two
 * versions of a program from source instead of checking in class files.
 */
public final class InMemoryCompiler {

  private InMemoryCompiler() {}

  /**
   * Compiles {@code sources} and returns every class file produced, keyed by binary name
   * (e.g. {@code com.example.Foo$1}).
   *
   * @param sources binary name of each top-level class to its source text
   * @param options javac options, e.g. {@code -g}, {@code --release 11}, {@code -parameters}
   * @throws IllegalArgumentException with javac's diagnostics if compilation fails
   */
  public static Map<String, byte[]> compile(Map<String, String> sources, String... options) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      throw new IllegalStateException("no system Java compiler: tests need a JDK, not a JRE");
    }
    List<JavaFileObject> units = new ArrayList<>();
    sources.forEach((name, text) -> units.add(new Source(name, text)));
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    Map<String, ByteArrayOutputStream> outputs = new TreeMap<>();
    StandardJavaFileManager standard = javac.getStandardFileManager(diagnostics, null, null);
    JavaFileManager manager = new ForwardingJavaFileManager<>(standard) {
      @Override
      public JavaFileObject getJavaFileForOutput(
          Location location, String className, JavaFileObject.Kind kind, FileObject sibling) {
        return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + kind.extension), kind) {
          @Override
          public OutputStream openOutputStream() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            outputs.put(className, out);
            return out;
          }
        };
      }
    };
    StringWriter log = new StringWriter();
    boolean ok = javac.getTask(log, manager, diagnostics, List.of(options), null, units).call();
    if (!ok) {
      StringBuilder message = new StringBuilder("compilation failed:");
      diagnostics.getDiagnostics().forEach(d -> message.append('\n').append(d));
      message.append(log);
      throw new IllegalArgumentException(message.toString());
    }
    Map<String, byte[]> classes = new TreeMap<>();
    outputs.forEach((name, bytes) -> classes.put(name, bytes.toByteArray()));
    return classes;
  }

  private static final class Source extends SimpleJavaFileObject {
    private final String text;

    Source(String binaryName, String text) {
      super(URI.create("string:///" + binaryName.replace('.', '/') + Kind.SOURCE.extension), Kind.SOURCE);
      this.text = text;
    }

    @Override
    public CharSequence getCharContent(boolean ignoreEncodingErrors) {
      return text;
    }
  }
}
