package org.jlivepatch.core.trampoline;

import java.lang.invoke.CallSite;
import java.lang.invoke.ConstantCallSite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodHandles.Lookup;
import java.lang.invoke.MethodType;
import java.lang.invoke.MutableCallSite;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A class loader holding fixture classes, one of them in a generated form, with the bridge, a
 * linker following the key grammar and the hidden class set up the way the agent does it.
 */
final class Target {

  final ClassLoader loader;
  final Class<?> type;
  Lookup hidden;
  private final String keyPrefix;
  private final Map<String, MutableCallSite> gates = new ConcurrentHashMap<>();
  private final Map<String, Shadow> shadows = new ConcurrentHashMap<>();
  private volatile boolean gateDefault;
  final List<String> linked = new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * @param classes fixture class files by binary name
   * @param className the binary name of the class C to load from {@code cBytes}
   * @param h the hidden class to define as C's nestmate, or null
   */
  Target(Map<String, byte[]> classes, String className, byte[] cBytes, HiddenClass h, String keyPrefix)
      throws Throwable {
    this(Target.class.getClassLoader(), classes, className, cBytes, h, keyPrefix);
  }

  /** As the other constructor, with the fixture loader's parent: classes it holds come from there. */
  Target(ClassLoader parent, Map<String, byte[]> classes, String className, byte[] cBytes, HiddenClass h,
      String keyPrefix) throws Throwable {
    this.keyPrefix = keyPrefix;
    Map<String, byte[]> files = new HashMap<>(classes);
    files.put(className, cBytes);
    loader = new ClassLoader(parent) {
      @Override
      protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] bytes = files.get(name);
        if (bytes == null) {
          throw new ClassNotFoundException(name);
        }
        return defineClass(name, bytes, 0, bytes.length);
      }
    };
    type = loader.loadClass(className);
    // As the agent: the bridge through a package lookup on C, the linker through a private lookup
    // on the bridge, H through a full-privilege lookup on C obtained from the bridge.
    Lookup onC = MethodHandles.privateLookupIn(type, MethodHandles.lookup());
    String pkg = type.getPackageName().replace('.', '/');
    Class<?> bridge = onC.defineClass(Trampolines.bridge(pkg));
    Lookup onBridge = MethodHandles.privateLookupIn(bridge, MethodHandles.lookup());
    MethodHandle link = MethodHandles.lookup().findVirtual(Target.class, "link",
        MethodType.methodType(CallSite.class, Lookup.class, String.class, MethodType.class, String.class)).bindTo(this);
    onBridge.findStaticSetter(bridge, Trampolines.LINKER_FIELD, MethodHandle.class).invoke(link);
    MethodHandle lambda = MethodHandles.lookup().findStatic(LambdaProxies.class, "link",
        MethodType.methodType(CallSite.class, Lookup.class, String.class, MethodType.class, Object[].class));
    onBridge.findStaticSetter(bridge, Trampolines.LAMBDA_LINKER_FIELD, MethodHandle.class).invoke(lambda);
    Lookup bridgeLookup = (Lookup) onBridge.findStatic(bridge, Trampolines.LOOKUP_METHOD,
        MethodType.methodType(Lookup.class)).invoke();
    if (h != null) {
      Lookup full = MethodHandles.privateLookupIn(type, bridgeLookup);
      hidden = full.defineHiddenClass(h.bytes(), true, Lookup.ClassOption.NESTMATE);
    }
  }

  /** Every gate, present and future, answers {@code value}. */
  void gates(boolean value) {
    gateDefault = value;
    gates.values().forEach(site -> site.setTarget(MethodHandles.constant(boolean.class, value)));
  }

  /** The gate of one method answers {@code value}. */
  void gate(String methodKey, boolean value) {
    site(methodKey).setTarget(MethodHandles.constant(boolean.class, value));
  }

  private MutableCallSite site(String methodKey) {
    return gates.computeIfAbsent(methodKey,
        k -> new MutableCallSite(MethodHandles.constant(boolean.class, gateDefault)));
  }

  CallSite link(Lookup caller, String name, MethodType type, String key) throws Throwable {
    linked.add(key);
    String[] parts = key.split("\\|", -1);
    if (!parts[0].equals(keyPrefix)) {
      throw new IllegalStateException("key of another generation: " + key);
    }
    switch (parts[1]) {
      case Trampolines.REDIRECT: {
        MethodType hType = MethodType.fromMethodDescriptorString(parts[3], loader);
        MethodHandle target = hidden.findStatic(hidden.lookupClass(), parts[2], hType);
        if (!target.type().equals(type)) {
          throw new IllegalStateException(key + " linked as " + type);
        }
        return new ConstantCallSite(target);
      }
      case Trampolines.GATE:
        if (parts.length != 3 || !type.equals(MethodType.methodType(boolean.class))) {
          throw new IllegalStateException(key + " linked as " + type);
        }
        return site(parts[2]);
      case Trampolines.SHADOW_GET:
      case Trampolines.SHADOW_PUT: {
        if (parts.length != 5) {
          throw new IllegalStateException(key);
        }
        Shadow shadow = shadows.computeIfAbsent(parts[2] + "|" + parts[3] + "|" + parts[4],
            k -> new Shadow(defaultValue(parts[4])));
        boolean put = parts[1].equals(Trampolines.SHADOW_PUT);
        boolean isStatic = type.parameterCount() == (put ? 1 : 0);
        MethodType generic = put
            ? (isStatic ? MethodType.methodType(void.class, Object.class)
                : MethodType.methodType(void.class, Object.class, Object.class))
            : (isStatic ? MethodType.methodType(Object.class) : MethodType.methodType(Object.class, Object.class));
        String method = (put ? "put" : "get") + (isStatic ? "Static" : "");
        MethodHandle target = MethodHandles.lookup().findVirtual(Shadow.class, method, generic).bindTo(shadow);
        return new ConstantCallSite(target.asType(type));
      }
      case Trampolines.HOST:
        if (parts.length != 6) {
          throw new IllegalStateException(key);
        }
        return new ConstantCallSite(HostAccess.target(caller, parts[2], parts[3], parts[4], parts[5], type));
      default:
        throw new IllegalStateException("unknown key " + key);
    }
  }

  private static Object defaultValue(String desc) {
    switch (desc.charAt(0)) {
      case 'Z': return false;
      case 'B': return (byte) 0;
      case 'C': return (char) 0;
      case 'S': return (short) 0;
      case 'I': return 0;
      case 'J': return 0L;
      case 'F': return 0f;
      case 'D': return 0d;
      default: return null;
    }
  }

  /** Instance-side value store of one shadow field, weakly keyed, plus its static value. */
  static final class Shadow {
    private final Object initial;
    private final Map<Object, Object> values = new WeakHashMap<>();
    private Object staticValue;

    Shadow(Object initial) {
      this.initial = initial;
      this.staticValue = initial;
    }

    synchronized Object get(Object owner) {
      Objects.requireNonNull(owner);
      return values.containsKey(owner) ? values.get(owner) : initial;
    }

    synchronized void put(Object owner, Object value) {
      values.put(Objects.requireNonNull(owner), value);
    }

    synchronized Object getStatic() {
      return staticValue;
    }

    synchronized void putStatic(Object value) {
      staticValue = value;
    }
  }

  Object newInstance(Class<?>[] types, Object... args) throws Throwable {
    return MethodHandles.lookup().findConstructor(type, MethodType.methodType(void.class, types))
        .invokeWithArguments(args);
  }

  /** Calls a public method of C (static when {@code receiver} is null). */
  Object call(Object receiver, String name, Class<?>[] types, Object... args) throws Throwable {
    return call(type, receiver, name, types, args);
  }

  Object call(Class<?> owner, Object receiver, String name, Class<?>[] types, Object... args) throws Throwable {
    java.lang.reflect.Method method = owner.getMethod(name, types);
    try {
      return method.invoke(receiver, args);
    } catch (java.lang.reflect.InvocationTargetException e) {
      throw e.getCause();
    }
  }

  Class<?> load(String binaryName) throws ClassNotFoundException {
    return loader.loadClass(binaryName);
  }
}
