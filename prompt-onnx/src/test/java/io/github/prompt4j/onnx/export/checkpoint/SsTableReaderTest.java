package io.github.prompt4j.onnx.export.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.model.ModelLoadException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SsTableReaderTest {

    private static Map<String, byte[]> sample() {
        Map<String, byte[]> m = new TreeMap<>();
        m.put("", new byte[] {1, 2});
        for (int i = 0; i < 40; i++) {
            m.put("module/bert/encoder/layer_" + i + "/attention/self/query/kernel",
                    ("v" + i).getBytes(StandardCharsets.UTF_8));
        }
        m.put("z", new byte[0]);
        return m;
    }

    @Test
    void prefixCompressedEntriesSpreadOverManyBlocksComeBackInKeyOrder() {
        Map<String, byte[]> written = sample();
        byte[] table = TfBundleWriter.table(written, 64, 4);
        Map<String, byte[]> read = SsTableReader.readAll(table, "t.index");
        assertEquals(new ArrayList<>(written.keySet()), new ArrayList<>(read.keySet()));
        for (Map.Entry<String, byte[]> e : written.entrySet()) {
            assertArrayEquals(e.getValue(), read.get(e.getKey()), e.getKey());
        }
    }

    @Test
    void oneBlockWithOneRestartReadsTheSame() {
        Map<String, byte[]> written = sample();
        Map<String, byte[]> read = SsTableReader.readAll(TfBundleWriter.table(written, 1 << 20, 1000), "t.index");
        assertEquals(List.copyOf(written.keySet()), List.copyOf(read.keySet()));
    }

    @Test
    void corruptBlockFailsItsChecksumNamingTheFile() {
        byte[] table = TfBundleWriter.table(sample(), 64, 4);
        table[10] ^= 0x40;
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> SsTableReader.readAll(table, "/x/variables.index"));
        assertTrue(e.getMessage().contains("/x/variables.index") && e.getMessage().contains("CRC32C"),
                e.getMessage());
    }

    @Test
    void maskRoundTripsAndMatchesLevelDbsDefinition() {
        int crc = 0x12345678;
        assertEquals(Integer.rotateRight(crc, 15) + 0xa282ead8, TfCrc32c.mask(crc));
        assertEquals(crc, TfCrc32c.unmask(TfCrc32c.mask(crc)));
    }
}
