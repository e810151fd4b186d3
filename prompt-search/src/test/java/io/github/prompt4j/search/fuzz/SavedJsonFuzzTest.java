package io.github.prompt4j.search.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.prompt4j.core.testing.FuzzContract;
import io.github.prompt4j.search.label.LabelWordSearchResult;
import io.github.prompt4j.search.select.PromptSelection;
import io.github.prompt4j.search.soft.SoftPromptResult;
import io.github.prompt4j.search.trigger.TriggerSearchResult;
import io.github.prompt4j.search.trigger.TriggerSearchState;

/**
 * Fuzzes the saved JSON that users pass back to prompt4j: AutoPrompt results, soft-prompt results (base64 vectors),
 * resumable trigger-search states, label-word search results and prompt selections. Contract: {@code fromJson} either
 * returns a non-null value whose {@code toJson} reads back to the same JSON, or throws
 * {@link IllegalArgumentException} with a message.
 */
class SavedJsonFuzzTest {

    @FuzzTest(maxDuration = "1m")
    void autoPrompt(byte[] data) {
        String json = FuzzContract.text(data);
        FuzzContract.holds(() -> {
            TriggerSearchResult r = TriggerSearchResult.fromJson(json);
            assertNotNull(r, "fromJson returned null");
            assertEquals(r.toJson(), TriggerSearchResult.fromJson(r.toJson()).toJson());
            r.boundTemplate();
            r.verbalizer();
        }, IllegalArgumentException.class);
    }

    @FuzzTest(maxDuration = "1m")
    void softPrompt(byte[] data) {
        String json = FuzzContract.text(data);
        FuzzContract.holds(() -> {
            SoftPromptResult r = SoftPromptResult.fromJson(json);
            assertNotNull(r, "fromJson returned null");
            assertEquals(r.toJson(), SoftPromptResult.fromJson(r.toJson()).toJson());
            r.verbalizer();
        }, IllegalArgumentException.class);
    }

    @FuzzTest(maxDuration = "1m")
    void searchState(byte[] data) {
        String json = FuzzContract.text(data);
        FuzzContract.holds(() -> {
            TriggerSearchState s = TriggerSearchState.fromJson(json);
            assertNotNull(s, "fromJson returned null");
            assertEquals(s.toJson(), TriggerSearchState.fromJson(s.toJson()).toJson());
        }, IllegalArgumentException.class);
    }

    @FuzzTest(maxDuration = "1m")
    void labelWords(byte[] data) {
        String json = FuzzContract.text(data);
        FuzzContract.holds(() -> {
            LabelWordSearchResult r = LabelWordSearchResult.fromJson(json);
            assertNotNull(r, "fromJson returned null");
            assertEquals(r.toJson(), LabelWordSearchResult.fromJson(r.toJson()).toJson());
        }, IllegalArgumentException.class);
    }

    @FuzzTest(maxDuration = "1m")
    void promptSelection(byte[] data) {
        String json = FuzzContract.text(data);
        FuzzContract.holds(() -> {
            PromptSelection s = PromptSelection.fromJson(json);
            assertNotNull(s, "fromJson returned null");
            assertEquals(s.toJson(), PromptSelection.fromJson(s.toJson()).toJson());
        }, IllegalArgumentException.class);
    }
}
