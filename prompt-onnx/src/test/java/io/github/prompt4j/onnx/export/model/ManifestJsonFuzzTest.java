package io.github.prompt4j.onnx.export.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.prompt4j.core.model.ModelLoadException;
import io.github.prompt4j.core.testing.FuzzContract;
import java.nio.file.Path;

/**
 * Fuzzes {@code manifest.json} parsing ({@link ManifestJson#read}). Each input is read as it is and, when it is a JSON
 * object, once more with its {@code manifestSha256} recomputed, so that mutations reach the fields behind the
 * checksum. Contract: either a manifest comes back whose JSON reads back to the same JSON, or
 * {@link ModelLoadException} naming the manifest file or its directory; never another exception.
 */
class ManifestJsonFuzzTest {

    private static final Path FILE = Path.of("/models/tiny/manifest.json");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @FuzzTest(maxDuration = "2m")
    void read(byte[] data) {
        String text = FuzzContract.text(data);
        check(text);
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (Exception e) {
            return;
        }
        if (root instanceof ObjectNode object) {
            object.remove(ManifestJson.CHECKSUM_FIELD);
            object.put(ManifestJson.CHECKSUM_FIELD, ManifestJson.checksum(object));
            check(object.toString());
        }
    }

    private static void check(String text) {
        FuzzContract.holdsNaming(FILE.getParent().toString(), () -> {
            ModelManifest m = ManifestJson.read(text, FILE);
            assertTrue(m.maxSequenceLength() >= 1);
            String written = ManifestJson.write(m);
            assertEquals(written, ManifestJson.write(ManifestJson.read(written, FILE)));
        }, ModelLoadException.class);
    }
}
