package io.github.prompt4j.onnx.runtime;

import io.github.prompt4j.core.model.EncodedPrompt;
import java.util.List;

/**
 * Argument checks of {@link OnnxMaskedLanguageModel}'s public methods that ONNX Runtime would otherwise report late
 * and obscurely (an out-of-range id fails deep inside a Gather node; a negative one is silently read from the end of
 * the table). Stateless.
 */
final class InputChecks {

    private InputChecks() {
    }

    /** Refuses a null list or a null element, naming the argument and the index. */
    static void requireElements(List<?> list, String what) {
        if (list == null) {
            throw new IllegalArgumentException(what + " must not be null; pass an empty list for none");
        }
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == null) {
                throw new IllegalArgumentException(what + "[" + i + "] is null");
            }
        }
    }

    /** Refuses token ids outside the vocabulary and token types outside the model's segment table. */
    static void checkTokens(EncodedPrompt p, int vocabularySize, int typeVocabularySize, String model) {
        int[] ids = p.ids();
        int[] types = p.tokenTypes();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] >= vocabularySize) {
                throw new IllegalArgumentException("encoded prompt has token id " + ids[i] + " at position " + i
                        + ", outside the vocabulary [0, " + vocabularySize + ") of " + model
                        + "; encode prompts with this model's tokenizer");
            }
            if (types[i] >= typeVocabularySize) {
                throw new IllegalArgumentException("encoded prompt has token type " + types[i] + " at position " + i
                        + " but " + model + " knows " + typeVocabularySize + " segment types");
            }
        }
    }
}
