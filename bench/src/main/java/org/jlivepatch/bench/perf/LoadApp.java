package org.jlivepatch.bench.perf;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.jlivepatch.core.diff.ClassDiffer;
import org.jlivepatch.core.diff.DiffOptions;
import org.jlivepatch.core.diff.DiffResult;
import org.jlivepatch.core.model.Patch;
import org.jlivepatch.core.payload.PayloadWriter;

/**
 * A target under load for the per-thread figures, compiled at bench time: {@code K} worker threads
 * each doing {@code Codec} round trips ({@code roundTrip} calls {@code encode} then {@code decode},
 * so it is a guard of a patch that changes both) and, every 256 round trips, one call each of
 * {@code Account.describe} and {@code Account.report}; after each round trip {@code OWN} iterations
 * of their own arithmetic and then, if {@code PARK} is not 0, a park of {@code PARK} µs (a server
 * thread waiting for its next request), both outside any patched method. Two patches of the running build:
 * {@link #codecPayload}, encode and decode changed in place together; {@link #accountPayload}, a
 * trampoline fix of {@code Account} that adds a private helper, a lambda, an instance field and a
 * static field (shadow fields), and {@link #accountPlainPayload}, the same without the lambda; and, for the raw mechanism, {@code Account}'s class file as it runs
 * and with a body-only change ({@link #rawOriginalDir}, {@link #rawChangedDir}). Commands on standard input: {@code mem} answers
 * {@code mem METASPACE_USED CLASS_SPACE_USED LOADED_CLASSES UNLOADED_CLASSES HEAP_USED} (bytes) after
 * two {@code System.gc()} (full collections that unload classes); {@code stats} answers
 * {@code stats ROUND_TRIPS MIXED} (round trips that mixed old and new codec code). Prints
 * {@code ready PID}; exits when standard input closes.
 */
final class LoadApp {

  static final String CODEC_ID = "codec";
  static final String ACCOUNT_ID = "account";

  final Path classes;
  final Path codecPayload;
  final Path accountPayload;
  /** {@link #accountPayload}'s fix with {@code report}'s lambda written as a loop: a trampoline fix without lambdas. */
  final Path accountPlainPayload;
  /** {@code load.Account.class} as it runs, for {@link RawRedefineAgent}. */
  final Path rawOriginalDir;
  /** {@code load.Account.class} with {@code describe}'s body changed, for {@link RawRedefineAgent}. */
  final Path rawChangedDir;

  private LoadApp(Path classes, Path codecPayload, Path accountPayload, Path accountPlainPayload, Path rawOriginalDir,
      Path rawChangedDir) {
    this.classes = classes;
    this.codecPayload = codecPayload;
    this.accountPayload = accountPayload;
    this.accountPlainPayload = accountPlainPayload;
    this.rawOriginalDir = rawOriginalDir;
    this.rawChangedDir = rawChangedDir;
  }

  static LoadApp create(Path work) throws IOException {
    Path dir = Files.createDirectories(work.resolve("load-app"));
    Map<String, String> v1 = new LinkedHashMap<>();
    v1.put("Main", MAIN);
    v1.put("Codec", CODEC);
    v1.put("Account", ACCOUNT);
    Map<String, String> codecFix = new LinkedHashMap<>(v1);
    codecFix.put("Codec", CODEC_FIX);
    Map<String, String> accountFix = new LinkedHashMap<>(v1);
    accountFix.put("Account", ACCOUNT_FIX);
    Path classes = compile(v1, dir.resolve("v1"));
    Path codec = payload(classes, compile(codecFix, dir.resolve("codec-fix")), CODEC_ID, dir);
    Path account = payload(classes, compile(accountFix, dir.resolve("account-fix")), ACCOUNT_ID, dir);
    Map<String, String> accountPlainFix = new LinkedHashMap<>(v1);
    accountPlainFix.put("Account", ACCOUNT_FIX_PLAIN);
    if (ACCOUNT_FIX_PLAIN.contains("->")) {
      throw new IllegalStateException("the account fix without lambdas still has one");
    }
    Path accountPlain = payload(classes, compile(accountPlainFix, dir.resolve("account-plain-fix")), ACCOUNT_ID,
        Files.createDirectories(dir.resolve("plain")));
    Map<String, String> accountBody = new LinkedHashMap<>(v1);
    accountBody.put("Account", ACCOUNT.replace("\"account \" + name", "\"account: \" + name"));
    Path changed = compile(accountBody, dir.resolve("account-body"));
    Path rawOriginal = Files.createDirectories(dir.resolve("raw-original"));
    Path rawChanged = Files.createDirectories(dir.resolve("raw-changed"));
    Files.copy(classes.resolve("load/Account.class"), rawOriginal.resolve("load.Account.class"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.copy(changed.resolve("load/Account.class"), rawChanged.resolve("load.Account.class"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return new LoadApp(classes, codec, account, accountPlain, rawOriginal, rawChanged);
  }

  /**
   * The command line of the target on {@code jdk}: {@code workers} threads, {@code own} iterations
   * of own work and a park of {@code parkMicros} after each round trip.
   */
  List<String> command(Jdk jdk, int workers, int own, int parkMicros, List<String> jvmOptions) {
    List<String> command = new ArrayList<>();
    command.add(jdk.java().toString());
    command.add("-Xmx256m");
    command.addAll(jdk.targetOptions());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(classes.toString());
    command.add("load.Main");
    command.add(Integer.toString(workers));
    command.add(Integer.toString(own));
    command.add(Integer.toString(parkMicros));
    return command;
  }

  /** Sends {@code command} to the target's standard input and returns its answer line, without the command word. */
  static String ask(Proc.Target target, String command) throws IOException, InterruptedException {
    OutputStream in = target.process.getOutputStream();
    in.write((command + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    in.flush();
    return target.await(command + " ", 120);
  }

  private static Path payload(Path oldClasses, Path newClasses, String id, Path dir) throws IOException {
    DiffResult diff = ClassDiffer.diff(GeneratedApp.read(oldClasses), GeneratedApp.read(newClasses), DiffOptions.ALL);
    if (!diff.patchable()) {
      throw new IllegalStateException("load app patch " + id + " refused: " + diff.refused());
    }
    Patch patch = diff.toPatch(id, "load app " + id, Optional.empty(), List.of());
    Path payload = dir.resolve(id + ".jlp");
    try (OutputStream out = Files.newOutputStream(payload)) {
      PayloadWriter.write(patch, Optional.empty(), out);
    }
    return payload;
  }

  private static Path compile(Map<String, String> sources, Path out) throws IOException {
    Path src = Files.createDirectories(out.resolveSibling(out.getFileName() + "-src").resolve("load"));
    List<String> args = new ArrayList<>(List.of("--release", "17", "-g", "-d", out.toString()));
    for (Map.Entry<String, String> source : sources.entrySet()) {
      args.add(Files.writeString(src.resolve(source.getKey() + ".java"), source.getValue()).toString());
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac.run(null, null, null, args.toArray(new String[0])) != 0) {
      throw new IllegalStateException("javac failed on the load app");
    }
    return out;
  }

  private static final String CODEC = """
      package load;
      public final class Codec {
        private final int key;
        public Codec(int key) { this.key = key; }
        public int encode(int x) { return x ^ key; }
        public int decode(int y) { return y ^ key; }
        public static boolean roundTrip(Codec codec, int x) { return codec.decode(codec.encode(x)) == x; }
      }
      """;

  /** Both halves changed: a round trip that runs one old half and one new half does not give back its input. */
  private static final String CODEC_FIX = CODEC
      .replace("return x ^ key;", "return Integer.rotateLeft(x ^ key, 7);")
      .replace("return y ^ key;", "return Integer.rotateRight(y, 7) ^ key;");

  private static final String ACCOUNT = """
      package load;
      import java.util.List;
      public final class Account {
        private final String name;
        public Account(String name) { this.name = name; }
        public String describe() { return "account " + name; }
        public static String report(List<String> names) { return String.join(",", names); }
      }
      """;

  private static final String ACCOUNT_FIX = """
      package load;
      import java.util.List;
      import java.util.stream.Collectors;
      public final class Account {
        private final String name;
        private int views;
        private static int total;
        public Account(String name) { this.name = name; }
        public String describe() {
          views++;
          total++;
          return "[" + label() + "] views=" + views + " total=" + total;
        }
        private String label() { return "account " + name.toUpperCase(); }
        public static String report(List<String> names) {
          return names.stream().map(n -> "<" + n + ">").collect(Collectors.joining("+"));
        }
      }
      """;

  private static final String ACCOUNT_FIX_PLAIN = ACCOUNT_FIX.replace(
      "return names.stream().map(n -> \"<\" + n + \">\").collect(Collectors.joining(\"+\"));",
      "StringBuilder out = new StringBuilder(); for (String n : names) { out.append(out.length() == 0 ? \"\" : \"+\")"
          + ".append('<').append(n).append('>'); } return out.toString();");

  private static final String MAIN = """
      package load;
      import java.io.BufferedReader;
      import java.io.InputStreamReader;
      import java.lang.management.ManagementFactory;
      import java.lang.management.MemoryPoolMXBean;
      import java.util.List;
      import java.util.concurrent.atomic.AtomicLong;
      public final class Main {
        static volatile long sink;
        static final AtomicLong trips = new AtomicLong();
        static final AtomicLong mixed = new AtomicLong();
        public static void main(String[] args) throws Exception {
          int workers = Integer.parseInt(args[0]);
          int own = Integer.parseInt(args[1]);
          long park = Long.parseLong(args[2]) * 1000;
          Codec codec = new Codec(0x5a5a5a5a);
          Account[] accounts = new Account[64];
          for (int i = 0; i < accounts.length; i++) { accounts[i] = new Account("a" + i); }
          for (int w = 0; w < workers; w++) {
            Thread worker = new Thread(() -> work(codec, accounts, own, park), "worker-" + w);
            worker.setDaemon(true);
            worker.start();
          }
          System.out.println("ready " + ProcessHandle.current().pid());
          BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
          for (String line; (line = in.readLine()) != null; ) {
            if (line.equals("mem")) {
              System.out.println("mem " + memory());
            } else if (line.equals("stats")) {
              System.out.println("stats " + trips.get() + " " + mixed.get());
            }
          }
        }
        // Calls one patched method or guard per call site: a method calling two patched methods would be a guard,
        // and a worker never leaves this one.
        static void work(Codec codec, Account[] accounts, int own, long park) {
          long local = 0;
          long bad = 0;
          for (int i = 1; ; i++) {
            if (!Codec.roundTrip(codec, i)) { bad++; }
            if ((i & 255) == 0) {
              local += describe(accounts[(i >>> 8) & 63]) + report(i);
              trips.addAndGet(256);
              mixed.addAndGet(bad);
              bad = 0;
            }
            for (int j = 0; j < own; j++) { local = local * 31 + j; }
            sink = local;
            if (park > 0) { java.util.concurrent.locks.LockSupport.parkNanos(park); }
          }
        }
        static int describe(Account account) { return account.describe().length(); }
        static int report(int i) { return Account.report(List.of("x", Integer.toString(i))).length(); }
        static String memory() {
          System.gc();
          System.gc();
          long metaspace = 0;
          long classSpace = 0;
          for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getName().equals("Metaspace")) { metaspace = pool.getUsage().getUsed(); }
            if (pool.getName().equals("Compressed Class Space")) { classSpace = pool.getUsage().getUsed(); }
          }
          return metaspace + " " + classSpace + " " + ManagementFactory.getClassLoadingMXBean().getLoadedClassCount()
              + " " + ManagementFactory.getClassLoadingMXBean().getUnloadedClassCount()
              + " " + ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        }
      }
      """;
}
