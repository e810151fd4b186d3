package io.github.prompt4j.onnx.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.model.SoftInput;
import io.github.prompt4j.core.model.Tokenizer;
import io.github.prompt4j.core.template.SoftPrompt;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.template.TemplateEncoder;
import io.github.prompt4j.core.template.Truncation;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.onnx.runtime.PretrainedModels;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Soft prompts on the real BERT-base (cased): soft vectors equal to the word embeddings of "It" and "was" score
 * exactly as the discrete prompt with those words, through the model and through a {@link PromptClassifier}.
 * Float32, 12 layers: logits agree to 1e-3, class probabilities to 1e-4.
 */
class SoftPromptIT {

    private static final List<String> SENTENCES = List.of("A gripping, moving film.",
            "The plot was thin and the acting was wooden.", "I would happily watch it again tomorrow.");

    @Test
    void wordEmbeddingsAsSoftVectorsReproduceTheDiscretePrompt() {
        OnnxMaskedLanguageModel model = RealModels.get(PretrainedModels.BERT_BASE_CASED);
        Tokenizer tok = model.tokenizer();
        int[] words = {tok.tokenToId("It").orElseThrow(), tok.tokenToId("was").orElseThrow()};
        int[] labels = {tok.tokenToId("great").orElseThrow(), tok.tokenToId("terrible").orElseThrow(),
            tok.tokenToId("good").orElseThrow(), tok.tokenToId("bad").orElseThrow()};
        TemplateEncoder encoder = Template.parse("{text} [P] [P] [MASK].").encoder(tok, Truncation.defaults());
        List<EncodedPrompt> discrete = new ArrayList<>();
        List<SoftInput> soft = new ArrayList<>();
        SoftPrompt vectors = SoftPrompt.of(model.inputEmbeddings().row(words[0]),
                model.inputEmbeddings().row(words[1]));
        for (String s : SENTENCES) {
            EncodedPrompt prompt = encoder.encode(s);
            discrete.add(prompt.withIds(prompt.softPositions(), words));
            soft.add(vectors.inputFor(prompt));
        }
        MaskLogits expected = model.maskLogits(discrete, labels);
        MaskLogits actual = model.softMaskLogits(soft, labels);
        for (int p = 0; p < SENTENCES.size(); p++) {
            for (int j = 0; j < labels.length; j++) {
                assertEquals(expected.logit(p, 0, j), actual.logit(p, 0, j), 1e-3, SENTENCES.get(p) + " " + j);
            }
            assertEquals(expected.logNormalizer(p, 0), actual.logNormalizer(p, 0), 1e-3);
        }

        Verbalizer verbalizer = Verbalizer.builder().add("negative", "terrible", "bad").add("positive", "great",
                "good").build();
        PromptClassifier discreteClassifier = PromptClassifier.builder(model)
                .template(Template.parse("{text} It was [MASK].")).verbalizer(verbalizer).build();
        PromptClassifier softClassifier = PromptClassifier.builder(model)
                .template(Template.parse("{text} [P] [P] [MASK].")).verbalizer(verbalizer).softPrompt(vectors)
                .build();
        List<Classification> a = discreteClassifier.classifyAll(SENTENCES);
        List<Classification> b = softClassifier.classifyAll(SENTENCES);
        for (int p = 0; p < SENTENCES.size(); p++) {
            assertEquals(a.get(p).label(), b.get(p).label(), SENTENCES.get(p));
            assertEquals(a.get(p).probability("positive"), b.get(p).probability("positive"), 1e-4);
        }

        // A vector that is not a word's embedding moves the scores.
        float[] shifted = vectors.vector(1);
        for (int j = 0; j < shifted.length; j++) {
            shifted[j] = -shifted[j];
        }
        MaskLogits moved = model.softMaskLogits(List.of(SoftPrompt.of(vectors.vector(0), shifted)
                .inputFor(encoder.encode(SENTENCES.get(0)))), labels);
        assertTrue(Math.abs(moved.logit(0, 0, 0) - expected.logit(0, 0, 0)) > 1e-2);
    }
}
