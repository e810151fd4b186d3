package io.github.prompt4j.core.model;

/**
 * Ids of a model's special tokens.
 *
 * @param cls start-of-sequence token ({@code [CLS]})
 * @param sep separator / end-of-sequence token ({@code [SEP]})
 * @param pad padding token ({@code [PAD]})
 * @param mask mask token ({@code [MASK]})
 * @param unk unknown-word token ({@code [UNK]})
 */
public record SpecialTokens(int cls, int sep, int pad, int mask, int unk) {

    public SpecialTokens {
        if (cls < 0 || sep < 0 || pad < 0 || mask < 0 || unk < 0) {
            throw new IllegalArgumentException("special token ids must be >= 0: cls=" + cls + " sep=" + sep
                    + " pad=" + pad + " mask=" + mask + " unk=" + unk);
        }
    }

    /** Whether {@code id} is one of the special tokens. */
    public boolean contains(int id) {
        return id == cls || id == sep || id == pad || id == mask || id == unk;
    }
}
