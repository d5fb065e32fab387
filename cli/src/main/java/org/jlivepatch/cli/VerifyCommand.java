package org.jlivepatch.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jlivepatch.core.payload.Payload;
import org.jlivepatch.core.payload.PayloadException;
import org.jlivepatch.core.payload.TrustedKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jlivepatch verify}: checks a payload and that it is signed by a trusted key. */
@Command(
    name = "verify",
    sortOptions = false,
    description = {
      "Check a payload and that its signature verifies against a trusted key.",
      "Checks limits, integrity, format version and fingerprints, then the signature against one of the "
          + "trusted public keys. Exit 0 when it verifies, 3 with the reason when it does not."
    })
final class VerifyCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE.jlp", description = "The payload to verify.")
  Path file;

  @Option(names = "--trust", required = true, paramLabel = "PUB",
      description = "A PEM file of trusted public keys (one or more). Repeatable.")
  List<Path> trustFiles = new ArrayList<>();

  @Mixin PayloadLimitOptions limitOptions;

  @Mixin JsonMixin json;

  @Override
  public Integer call() {
    TrustedKeys trusted = new TrustedKeys(KeyFiles.readPublicKeys("--trust", trustFiles));
    Payload payload = PayloadFiles.read(file, limitOptions.limits()).payload();
    String keyId;
    try {
      keyId = trusted.verify(payload);
    } catch (PayloadException e) {
      throw PayloadFiles.refused(file, e);
    }
    if (json.enabled()) {
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("file", file.toString());
      result.put("id", payload.patch().id());
      result.put("verified", true);
      result.put("keyId", keyId);
      result.put("contentHash", payload.contentHash());
      JsonOutput.print(spec.commandLine().getOut(), result);
    } else {
      spec.commandLine().getOut().printf("%s: verified: patch %s signed by trusted key %s%n", file,
          payload.patch().id(), keyId);
      spec.commandLine().getOut().flush();
    }
    return ExitCode.OK;
  }
}
