package io.github.prompt4j.search.fact;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.prompt4j.core.template.SoftPrompt;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.search.internal.FloatCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads and writes fact-retrieval prompts as JSON lines, one relation per line.
 *
 * <p>The published format ({@code {"relation": "P19", "template": "[X] was born in [Y] ."}}, as the LAMA, LPAQA,
 * AutoPrompt and OptiPrompt prompt sets ship) is read with {@link FactPrompt#parse}. prompt4j adds an optional
 * {@code "prompt4j"} object that makes a searched prompt exact: {@code {"template": "{sub} [T] [T] [MASK] .",
 * "triggerIds": [...]}} for a discrete prompt (its ids, so pieces are never re-tokenised) or
 * {@code {"template": "{sub} [P] [P] [MASK] .", "model": "...", "vectors": ["base64 little-endian float32", ...]}}
 * for a continuous one. Other fields are ignored, so a line stays readable by the published tools.
 *
 * <pre>{@code
 * Map<String, FactPrompt> prompts = FactPrompts.read(Path.of("autoprompt-bert-base-cased.jsonl"));
 * RankingMetrics m = FactRetrieval.evaluate(model, prompts.get("P19"), facts, candidates, 32);
 * }</pre>
 *
 * <p>Prompts found by prompt4j's own searches ship in this jar ({@link #BUNDLED}, read with {@link #bundled}): every
 * LAMA T-REx relation, searched on the relation's training facts and chosen on a selection slice of them, so a user
 * can query facts without searching:
 *
 * <pre>{@code
 * FactPrompt bornIn = FactPrompts.bundled("autoprompt-bert-base-cased").get("P19");
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class FactPrompts {

    /**
     * The prompt sets in this jar, one prompt per LAMA T-REx relation: AutoPrompt triggers and OptiPrompt vectors
     * for {@code bert-base-cased} (the vectors only mean something in that model's embedding space).
     */
    public static final List<String> BUNDLED = List.of("autoprompt-bert-base-cased", "optiprompt-bert-base-cased");

    private static final String RESOURCE_FOLDER = "/io/github/prompt4j/search/fact/prompts/";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private FactPrompts() {
    }

    /**
     * Reads a JSON-lines prompt file: relation id to prompt, in file order.
     *
     * @throws UncheckedIOException if the file cannot be read
     * @throws IllegalArgumentException naming the file and line of a malformed or repeated relation
     */
    public static Map<String, FactPrompt> read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the prompt file " + file, e);
        }
    }

    /**
     * Reads JSON-lines prompts from a stream (e.g. a class-path resource); {@code source} names it in errors.
     *
     * @throws UncheckedIOException if the stream cannot be read
     * @throws IllegalArgumentException naming the source and line of a malformed or repeated relation
     */
    public static Map<String, FactPrompt> read(InputStream in, String source) {
        Map<String, FactPrompt> out = new LinkedHashMap<>();
        try {
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                FactPrompt p;
                try {
                    p = line(line);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(source + " line " + number + ": " + e.getMessage(), e);
                }
                if (out.putIfAbsent(p.relation(), p) != null) {
                    throw new IllegalArgumentException(source + " line " + number + ": relation " + p.relation()
                            + " appears twice; keep one prompt per relation");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the prompts of " + source, e);
        }
        return out;
    }

    /**
     * A prompt set shipped in this jar, relation id to prompt.
     *
     * @param name one of {@link #BUNDLED}
     * @throws IllegalArgumentException naming the sets there are, when {@code name} is not one of them
     */
    public static Map<String, FactPrompt> bundled(String name) {
        if (!BUNDLED.contains(name)) {
            throw new IllegalArgumentException("no bundled prompt set '" + name + "'; the jar has " + BUNDLED);
        }
        String resource = RESOURCE_FOLDER + name + ".jsonl";
        try (InputStream in = FactPrompts.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the class path lacks " + resource + "; use the prompt4j-search jar "
                        + "as built, not a repackaged one without its resources");
            }
            return read(in, "bundled " + name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    /** One prompt from one JSON line (as {@link #toJson} writes it, or the published format). */
    public static FactPrompt line(String json) {
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("expected an object like {\"relation\": \"P19\", \"template\": "
                    + "\"[X] was born in [Y] .\"}");
        }
        String relation = text(node, "relation");
        String text = text(node, "template");
        JsonNode exact = node.get("prompt4j");
        if (exact == null || exact.isNull()) {
            return FactPrompt.parse(relation, text);
        }
        Template template = Template.parse(text(exact, "template"));
        if (exact.has("triggerIds")) {
            int[] ids = new int[exact.get("triggerIds").size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = exact.get("triggerIds").get(i).asInt();
            }
            return new FactPrompt(relation, text, template.withTriggerIds(ids), "", "", Optional.empty());
        }
        if (exact.has("vectors")) {
            List<float[]> vectors = new ArrayList<>();
            for (JsonNode v : exact.get("vectors")) {
                vectors.add(decode(v.asText(), vectors.size()));
            }
            return new FactPrompt(relation, text, template, "", "", Optional.of(SoftPrompt.of(vectors)));
        }
        throw new IllegalArgumentException("the prompt4j object of " + relation + " has neither triggerIds nor "
                + "vectors");
    }

    /**
     * Writes prompts as JSON lines that {@link #read(Path)} reads back exactly; {@code model} is recorded with
     * continuous prompts (their vectors live in that model's embedding space).
     *
     * @throws UncheckedIOException if the file cannot be written
     */
    public static void write(Path file, Collection<FactPrompt> prompts, String model) {
        List<String> lines = new ArrayList<>();
        for (FactPrompt p : prompts) {
            lines.add(toJson(p, model));
        }
        try {
            Files.write(file, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the prompt file " + file, e);
        }
    }

    /** One prompt as a JSON line. */
    public static String toJson(FactPrompt p, String model) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("relation", p.relation());
        node.put("template", p.text());
        if (p.template().triggerCount() > 0 || p.softPrompt().isPresent()) {
            ObjectNode exact = node.putObject("prompt4j");
            exact.put("template", p.template().text());
            p.template().triggerIds().ifPresent(ids -> {
                ArrayNode a = exact.putArray("triggerIds");
                for (int id : ids) {
                    a.add(id);
                }
            });
            p.softPrompt().ifPresent(s -> {
                exact.put("model", model);
                ArrayNode a = exact.putArray("vectors");
                for (float[] v : s.vectors()) {
                    a.add(FloatCodec.encode(v));
                }
            });
        }
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write prompt of " + p.relation(), e);
        }
    }

    private static float[] decode(String base64, int slot) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("vector " + slot + " is not base64: " + e.getMessage(), e);
        }
        if (bytes.length == 0 || bytes.length % Float.BYTES != 0) {
            throw new IllegalArgumentException("vector " + slot + " has " + bytes.length + " bytes, not a whole "
                    + "number of float32 values");
        }
        float[] v = new float[bytes.length / Float.BYTES];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new IllegalArgumentException("missing text field '" + field + "'");
        }
        return v.asText();
    }
}
