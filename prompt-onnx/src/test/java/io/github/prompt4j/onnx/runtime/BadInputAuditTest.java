package io.github.prompt4j.onnx.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.model.ModelLoadException;
import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.GradientRequest;
import io.github.prompt4j.core.model.SoftInput;
import io.github.prompt4j.core.template.SoftPrompt;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.onnx.export.checkpoint.HuggingFaceBertCheckpoint;
import io.github.prompt4j.onnx.export.model.ModelCache;
import io.github.prompt4j.onnx.export.model.ModelDirectory;
import io.github.prompt4j.onnx.export.model.ModelExporter;
import io.github.prompt4j.onnx.export.testing.TinyBert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The bad-input audit of the public API (issue 18): null, empty, huge, wrong-length, NaN, foreign-vocabulary and
 * closed-model inputs at each public entry point, on the real ONNX runtime with the tiny BERT. Each refusal is the
 * documented exception type with a message that names the problem; each acceptance is a legitimate input (a field
 * used twice, {@code {{}} as a literal brace, a long text that truncation shortens, an empty batch, an unbound
 * {@code [T]} that the template documents to read as {@code [MASK]}).
 */
class BadInputAuditTest {

    interface Body {
        Object run() throws Exception;
    }

    /** Asserts that {@code body} throws {@code type} (exactly that class) whose message contains {@code fragment}. */
    static void refuses(String entry, String input, Class<? extends Throwable> type, String fragment, Body body) {
        Throwable thrown = null;
        try {
            body.run();
        } catch (Throwable e) {
            thrown = e;
        }
        String what = entry + " with " + input;
        assertNotNull(thrown, what + " was accepted");
        assertEquals(type, thrown.getClass(), what + ": " + thrown);
        assertTrue(thrown.getMessage() != null && thrown.getMessage().contains(fragment),
                what + ": message '" + thrown.getMessage() + "' lacks '" + fragment + "'");
    }

    /** Asserts that {@code body} completes: the input is legitimate (see the audit table for why). */
    static void accepts(String entry, String input, Body body) throws Exception {
        body.run();
    }

    @Test
    void everyPublicEntryPointRefusesBadInputWithAClearMessage() throws Exception {
        Path root = Files.createTempDirectory("audit");
        TinyBert tiny = TinyBert.random(7);
        try (HuggingFaceBertCheckpoint c = HuggingFaceBertCheckpoint.fromDirectory(
                tiny.writeHuggingFace(root.resolve("hf")))) {
            ModelExporter.export(c, "tiny", root.resolve("export"));
        }
        OnnxMaskedLanguageModel model = OnnxMaskedLanguageModel.builder().directory(root.resolve("export"))
                .device(Device.CPU).build();
        Template t = Template.parse("{text} it was [MASK] .");
        Verbalizer v = Verbalizer.builder().add("neg", "bad").add("pos", "good").build();
        PromptClassifier pc = PromptClassifier.builder(model).template(t).verbalizer(v).build();
        int vocab = model.info().vocabularySize();
        int[] ids = model.tokenizer().frame(model.tokenizer().encode("the movie was [MASK] .").ids());
        EncodedPrompt ok = EncodedPrompt.of(ids, new int[] {4}, new int[0]);
        int hidden = model.info().hiddenSize();

        refuses("Template.parse", "null", IllegalArgumentException.class, "template text must not be blank; write e.g. \"",
                () -> Template.parse(null));
        refuses("Template.parse", "empty", IllegalArgumentException.class, "template text must not be blank; write e.g. \"",
                () -> Template.parse(""));
        accepts("Template.parse", "two fields same name", () -> Template.parse("{a} {a} [MASK]"));
        accepts("Template.parse", "1 MB text", () -> Template.parse("{a} " + "x ".repeat(500_000) + "[MASK]").fields());
        accepts("Template.parse", "nested braces", () -> Template.parse("{{a}} [MASK]"));
        refuses("Template.withTriggerIds", "null", IllegalArgumentException.class, "template '{a} [T] [MASK]' has 1 trigger slots",
                () -> Template.parse("{a} [T] [MASK]").withTriggerIds((int[]) null));
        refuses("Template.withTriggerIds", "wrong length", IllegalArgumentException.class, "template '{a} [T] [MASK]' has 1 trigger slots",
                () -> Template.parse("{a} [T] [MASK]").withTriggerIds(1, 2));
        refuses("Template.withTriggerIds", "negative", IllegalArgumentException.class, "trigger id -1 is negative; pass vocabulary id",
                () -> Template.parse("{a} [T] [MASK]").withTriggerIds(-1));
        refuses("Template.encoder", "null tokenizer", IllegalArgumentException.class, "tokenizer and truncation must not be null",
                () -> t.encoder(null));
        refuses("TemplateEncoder.encode", "null text", IllegalArgumentException.class, "field 'text' is null; pass the input text",
                () -> t.encoder(model.tokenizer()).encode((String) null));
        refuses("TemplateEncoder.encode", "blank", IllegalArgumentException.class, "field 'text' is blank; pass non-empty input t",
                () -> t.encoder(model.tokenizer()).encode("  "));
        refuses("TemplateEncoder.encode", "missing field", IllegalArgumentException.class, "unknown field 'b': template '{text} it was [M",
                () -> t.encoder(model.tokenizer()).encode(Map.of("b", "x")));
        refuses("TemplateEncoder.encode", "map with null value", IllegalArgumentException.class, "field 'text' is null; pass the input text",
                () -> { Map<String, String> m = new HashMap<>(); m.put("text", null); return t.encoder(model.tokenizer()).encode(m); });
        refuses("Template.withTriggerIds+encode", "foreign vocab id", IllegalArgumentException.class, "trigger id 125 is outside the vocabulary of 1",
                () -> Template.parse("{a} [T] [MASK]").withTriggerIds(vocab + 5).encoder(model.tokenizer()).encode("x").ids());
        refuses("Verbalizer.of", "null map", IllegalArgumentException.class, "labelWords must not be null",
                () -> Verbalizer.of(null));
        refuses("Verbalizer.of", "null list", IllegalArgumentException.class, "class 'a' has no label words; give at least o",
                () -> { Map<String, List<String>> m = new java.util.LinkedHashMap<>(); m.put("a", null); m.put("b", List.of("x")); return Verbalizer.of(m); });
        refuses("Verbalizer.builder.add", "null words array", IllegalArgumentException.class, "class 'a' has no label words; give at least o",
                () -> Verbalizer.builder().add("a", (String[]) null));
        refuses("Verbalizer.withPolicy", "null", IllegalArgumentException.class, "policy must not be null",
                () -> v.withPolicy(null));
        refuses("Verbalizer.resolve", "null tokenizer", IllegalArgumentException.class, "tokenizer must not be null; pass model.tokeni",
                () -> v.resolve(null));
        refuses("Verbalizer.resolve", "word not in vocab", IllegalArgumentException.class, "label word 'zzzqqq' of class 'a' is not in th",
                () -> Verbalizer.builder().add("a", "zzzqqq").add("b", "good").build().resolve(model.tokenizer()));
        refuses("PromptClassifier.builder", "null model", IllegalArgumentException.class, "model must not be null",
                () -> PromptClassifier.builder(null));
        refuses("PromptClassifier.build", "no template", IllegalArgumentException.class, "set a template: builder.template(Template.par",
                () -> PromptClassifier.builder(model).verbalizer(v).build());
        refuses("PromptClassifier.build", "no verbalizer", IllegalArgumentException.class, "set a verbalizer: builder.verbalizer(Verbaliz",
                () -> PromptClassifier.builder(model).template(t).build());
        refuses("PromptClassifier.template", "null", IllegalArgumentException.class, "set a template",
                () -> PromptClassifier.builder(model).template(null).verbalizer(v).build());
        refuses("PromptClassifier.build", "template two fields", IllegalArgumentException.class, "template '{a} {b} [MASK]' has fields [a, b]; ",
                () -> PromptClassifier.builder(model).template(Template.parse("{a} {b} [MASK]")).verbalizer(v).build().classify("x"));
        refuses("PromptClassifier.build", "template without field", IllegalArgumentException.class, "template 'it was [MASK]' has fields []; pass ",
                () -> PromptClassifier.builder(model).template(Template.parse("it was [MASK]")).verbalizer(v).build().classify("x"));
        accepts("PromptClassifier.build", "template with [T] unbound (read as [MASK], as documented)",
                () -> PromptClassifier.builder(model).template(Template.parse("{a} [T] [MASK]")).verbalizer(v).build()
                        .classify("x"));
        refuses("PromptClassifier.build", "template with [P], no soft prompt", IllegalArgumentException.class, "template '{a} [P] [MASK]' has 1 soft-prompt s",
                () -> PromptClassifier.builder(model).template(Template.parse("{a} [P] [MASK]")).verbalizer(v).build().classify("x"));
        refuses("PromptClassifier.softPrompt", "NaN vector", IllegalArgumentException.class, "soft-prompt vector of slot 0 has the non-fini",
                () -> PromptClassifier.builder(model).template(Template.parse("{a} [P] [MASK]")).verbalizer(v).softPrompt(SoftPrompt.of(new float[][] {filled(hidden, Float.NaN)})).build().classify("x"));
        refuses("PromptClassifier.softPrompt", "wrong dim", IllegalArgumentException.class, "soft-prompt vectors have 33 values but model ",
                () -> PromptClassifier.builder(model).template(Template.parse("{a} [P] [MASK]")).verbalizer(v).softPrompt(SoftPrompt.of(new float[][] {filled(hidden + 1, 0f)})).build().classify("x"));
        refuses("PromptClassifier.softPrompt", "wrong count", IllegalArgumentException.class, "template '{a} [P] [MASK]' has 1 soft-prompt s",
                () -> PromptClassifier.builder(model).template(Template.parse("{a} [P] [MASK]")).verbalizer(v).softPrompt(SoftPrompt.of(new float[][] {filled(hidden, 0f), filled(hidden, 0f)})).build().classify("x"));
        refuses("PromptClassifier.maxLength", "0", IllegalArgumentException.class, "maxLength must be positive, got 0",
                () -> PromptClassifier.builder(model).template(t).verbalizer(v).maxLength(0).build());
        refuses("PromptClassifier.maxLength", "huge", IllegalArgumentException.class, "maxLength 1000000 exceeds the model's limit o",
                () -> PromptClassifier.builder(model).template(t).verbalizer(v).maxLength(1_000_000).build().classify("x"));
        refuses("PromptClassifier.classify", "null", IllegalArgumentException.class, "field 'text' is null; pass the input text",
                () -> pc.classify((String) null));
        refuses("PromptClassifier.classify", "empty", IllegalArgumentException.class, "field 'text' is blank; pass non-empty input t",
                () -> pc.classify(""));
        accepts("PromptClassifier.classify", "1 MB text", () -> pc.classify("good ".repeat(200_000)).label());
        accepts("PromptClassifier.classify", "text with [MASK]", () -> pc.classify("[MASK] [MASK] [SEP]").label());
        accepts("PromptClassifier.classify", "control chars / lone surrogate",
                () -> pc.classify("\u0000\ud800 x").label());
        refuses("PromptClassifier.classifyAll", "null", IllegalArgumentException.class, "texts must not be null; pass an empty list fo",
                () -> pc.classifyAll(null));
        accepts("PromptClassifier.classifyAll", "empty", () -> pc.classifyAll(List.of()));
        refuses("PromptClassifier.classifyAll", "list with null", IllegalArgumentException.class, "input 1: field 'text' is null; pass the input",
                () -> pc.classifyAll(Arrays.asList("a", null)));
        refuses("EncodedPrompt", "null ids", IllegalArgumentException.class, "ids must not be null",
                () -> EncodedPrompt.of(null, new int[] {0}, new int[0]));
        refuses("EncodedPrompt", "mask position out of range", IllegalArgumentException.class, "maskPositions[0] = 7 is outside the sequence ",
                () -> EncodedPrompt.of(ids, new int[] {ids.length}, new int[0]));
        refuses("EncodedPrompt", "no mask", IllegalArgumentException.class, "an encoded prompt needs at least one mask pos",
                () -> EncodedPrompt.of(ids, new int[0], new int[0]));
        refuses("EncodedPrompt", "wrong-length attention mask", IllegalArgumentException.class, "ids (7), attentionMask (6) and tokenTypes (7)",
                () -> new EncodedPrompt(ids, new int[ids.length - 1], new int[ids.length], new int[] {4}, new int[0], new int[0], 0));
        refuses("EncodedPrompt", "soft position on the mask", IllegalArgumentException.class, "softPositions[0] = 4 is also a mask position",
                () -> new EncodedPrompt(ids, filledInt(ids.length, 1), new int[ids.length], new int[] {4}, new int[0], new int[] {4}, 0));
        refuses("EncodedPrompt", "empty ids", IllegalArgumentException.class, "an encoded prompt needs at least one token",
                () -> EncodedPrompt.of(new int[0], new int[0], new int[0]));
        refuses("maskLogits", "null", IllegalArgumentException.class, "prompts must not be null; pass an empty list ",
                () -> model.maskLogits(null));
        accepts("maskLogits", "empty list", () -> model.maskLogits(List.of()));
        refuses("maskLogits", "list with null", IllegalArgumentException.class, "prompts[1] is null",
                () -> model.maskLogits(Arrays.asList(ok, null)));
        refuses("maskLogits", "foreign-vocabulary id", IllegalArgumentException.class, "encoded prompt has token id 220 at position 1",
                () -> { int[] x = ids.clone(); x[1] = vocab + 100; return model.maskLogits(List.of(EncodedPrompt.of(x, new int[] {4}, new int[0]))); });
        refuses("maskLogits", "negative id", IllegalArgumentException.class, "ids[1] = -3 is negative; token ids index the ",
                () -> { int[] x = ids.clone(); x[1] = -3; return model.maskLogits(List.of(EncodedPrompt.of(x, new int[] {4}, new int[0]))); });
        refuses("maskLogits", "token type 5", IllegalArgumentException.class, "encoded prompt has token type 5 at position 1",
                () -> { int[] tt = new int[ids.length]; tt[1] = 5; return model.maskLogits(List.of(new EncodedPrompt(ids, filledInt(ids.length, 1), tt, new int[] {4}, new int[0], new int[0], 0))); });
        refuses("maskLogits", "longer than max positions", IllegalArgumentException.class, "encoded prompt has 74 tokens but tiny accepts",
                () -> { int[] x = filledInt(model.info().maxSequenceLength() + 10, 7); return model.maskLogits(List.of(EncodedPrompt.of(x, new int[] {4}, new int[0]))); });
        refuses("maskLogits(ids)", "foreign token id", IllegalArgumentException.class, "token id 120 is outside the vocabulary [0, 12",
                () -> model.maskLogits(List.of(ok), new int[] {vocab}));
        refuses("maskLogits(ids)", "null", IllegalArgumentException.class, "no token ids to score; pass at least one id, ",
                () -> model.maskLogits(List.of(ok), null));
        refuses("maskLogits(ids)", "empty", IllegalArgumentException.class, "no token ids to score; pass at least one id, ",
                () -> model.maskLogits(List.of(ok), new int[0]));
        refuses("softMaskLogits", "NaN vector", IllegalArgumentException.class, "soft vector at position 2 has the non-finite ",
                () -> model.softMaskLogits(List.of(new SoftInput(ok, Map.of(2, filled(hidden, Float.NaN)))), new int[] {5}).logit(0, 0, 0));
        refuses("softMaskLogits", "wrong dim", IllegalArgumentException.class, "soft vector at position 2 has length 35 but t",
                () -> model.softMaskLogits(List.of(new SoftInput(ok, Map.of(2, filled(hidden + 3, 0)))), new int[] {5}));
        refuses("softMaskLogits", "position out of range", IllegalArgumentException.class, "soft vector position 99 is outside the prompt",
                () -> model.softMaskLogits(List.of(new SoftInput(ok, Map.of(99, filled(hidden, 0)))), new int[] {5}));
        refuses("labelLossGradients", "foreign gold id", IllegalArgumentException.class, "gold token id 121 of gradient request 0 is outside the vocabulary",
                () -> model.labelLossGradients(List.of(GradientRequest.of(ok, new int[] {vocab + 1}, new int[] {1}))));
        refuses("labelLossGradients", "gradient position out of range", IllegalArgumentException.class, "gradient position 99 is outside the prompt of",
                () -> model.labelLossGradients(List.of(GradientRequest.of(ok, new int[] {5}, new int[] {99}))));
        refuses("labelLossGradients", "empty gold", IllegalArgumentException.class, "a gradient request needs at least one gold la",
                () -> model.labelLossGradients(List.of(GradientRequest.of(ok, new int[0], new int[] {1}))));
        refuses("inputEmbeddings.row", "-1", IndexOutOfBoundsException.class, "row -1 outside [0, 120)",
                () -> model.inputEmbeddings().row(-1));
        refuses("inputEmbeddings.row", "vocab", IndexOutOfBoundsException.class, "row 120 outside [0, 120)",
                () -> model.inputEmbeddings().row(vocab));
        refuses("tokenizer.encode", "null", IllegalArgumentException.class, "text must not be null; encode \"\" for no conte",
                () -> model.tokenizer().encode(null));
        refuses("tokenizer.tokenToId", "null", IllegalArgumentException.class, "token must not be null",
                () -> model.tokenizer().tokenToId(null));
        refuses("tokenizer.decode", "foreign ids", IllegalArgumentException.class, "token id 125 is outside the vocabulary [0, 12",
                () -> model.tokenizer().decode(new int[] {vocab + 5, -1}));
        refuses("tokenizer.idToToken", "foreign id", IllegalArgumentException.class, "token id 125 is outside the vocabulary [0, 12",
                () -> model.tokenizer().idToToken(vocab + 5));
        refuses("builder.maxBatchSize", "0", IllegalArgumentException.class, "deviceId and intraOpThreads must be >= 0 (0 t",
                () -> OnnxMaskedLanguageModel.builder().directory(root.resolve("export")).maxBatchSize(0).build());
        refuses("builder.directory", "null", IllegalArgumentException.class, "model directory path must not be null",
                () -> OnnxMaskedLanguageModel.builder().directory(null));
        refuses("builder.device", "null", IllegalArgumentException.class, "device must not be null; use Device.AUTO",
                () -> OnnxMaskedLanguageModel.builder().directory(root.resolve("export")).device(null).build());
        refuses("builder.pretrained", "null", IllegalStateException.class, "say which model to open: builder().pretrained",
                () -> OnnxMaskedLanguageModel.builder().pretrained(null).build());
        refuses("OnnxMaskedLanguageModel.open", "missing dir", ModelLoadException.class, "does not exist or is not a directory",
                () -> OnnxMaskedLanguageModel.open(root.resolve("nope")));
        refuses("OnnxMaskedLanguageModel.open", "a file", ModelLoadException.class, "does not exist or is not a directory",
                () -> OnnxMaskedLanguageModel.open(root.resolve("export/manifest.json")));
        refuses("ModelDirectory.open", "null", IllegalArgumentException.class, "model directory path must not be null",
                () -> ModelDirectory.open(null));
        refuses("ModelCache.at", "null", IllegalArgumentException.class, "cache root must not be null; use ModelCache.d",
                () -> ModelCache.at(null));
        refuses("ModelCache.get", "null checksum", IllegalArgumentException.class, "cache entry 'x' needs the source checksum and",
                () -> ModelCache.at(root.resolve("c")).get("x", null, () -> null));
        refuses("ModelCache.get", "supplier returns null", IllegalStateException.class, "the source of cache entry 'x' supplied no che",
                () -> ModelCache.at(root.resolve("c")).get("x", "s", () -> null));
        refuses("ModelExporter.export", "null checkpoint", IllegalArgumentException.class, "export needs a checkpoint, a model name and a",
                () -> ModelExporter.export(null, "x", root.resolve("e2")));

        model.close();
        refuses("closed model", "maskLogits", IllegalStateException.class, "model tiny is closed; open a new OnnxMaskedLa",
                () -> model.maskLogits(List.of(ok)));
        refuses("closed model", "classify", IllegalStateException.class, "tokenizer is closed (a model's tokenizer clos",
                () -> pc.classify("x"));
        refuses("closed model", "labelLossGradients", IllegalStateException.class, "model tiny is closed; open a new OnnxMaskedLa",
                () -> model.labelLossGradients(List.of(GradientRequest.of(ok, new int[] {5}, new int[] {1}))));
        refuses("closed model", "softMaskLogits", IllegalStateException.class, "model tiny is closed; open a new OnnxMaskedLa",
                () -> model.softMaskLogits(List.of(SoftInput.discrete(ok)), new int[] {5}));
        refuses("closed model", "inputEmbeddings().row", IllegalStateException.class, "model tiny is closed; open a new OnnxMaskedLa",
                () -> model.inputEmbeddings().row(3).length);
        refuses("closed model", "tokenizer()", IllegalStateException.class, "model tiny is closed; open a new OnnxMaskedLa",
                () -> model.tokenizer());
        accepts("closed model", "close again", () -> { model.close(); return "ok"; });
    }

    static float[] filled(int n, float x) {
        float[] a = new float[n];
        Arrays.fill(a, x);
        return a;
    }

    static int[] filledInt(int n, int x) {
        int[] a = new int[n];
        Arrays.fill(a, x);
        return a;
    }
}
