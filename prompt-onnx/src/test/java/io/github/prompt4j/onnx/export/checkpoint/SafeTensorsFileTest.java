package io.github.prompt4j.onnx.export.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.model.ModelLoadException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsFileTest {

    @TempDir
    Path dir;

    @Test
    void float16WidensExactlyToHandComputedValues() {
        short[] bits = {0x3C00, (short) 0xC000, 0x7BFF, 0x0001, 0x03FF, 0x0400, 0x3555, (short) 0x8000, 0x7C00,
            (short) 0xFC00, 0x7E00};
        float[] expected = {1f, -2f, 65504f, 0x1p-24f, 1023 * 0x1p-24f, 0x1p-14f, 1365f / 4096f, -0f,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};
        Path file = dir.resolve("f16.safetensors");
        SafeTensorsWriter.create().f16("h", new long[] {bits.length}, bits).write(file);
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            assertArrayEquals(expected, f.readFloats(f.find("h").orElseThrow()));
        }
    }

    @Test
    void bfloat16WidensExactlyToHandComputedValues() {
        short[] bits = {0x3F80, (short) 0xC0A0, 0x4049, 0x0001, 0x7F80, (short) 0xFF80, (short) 0x8000};
        // 0x4049 -> 2 * (1 + 73/128); 0x0001 -> the float32 subnormal 0x00010000 = 2^16 * 2^-149.
        float[] expected = {1f, -5f, 3.140625f, 0x1p-133f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f};
        Path file = dir.resolve("bf16.safetensors");
        SafeTensorsWriter.create().bf16("b", new long[] {bits.length}, bits).write(file);
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            assertArrayEquals(expected, f.readFloats(f.find("b").orElseThrow()));
        }
    }

    @Test
    void float32TensorsAndMetadataRoundTripInHeaderOrder() {
        Path file = dir.resolve("f32.safetensors");
        SafeTensorsWriter.create().metadata("format", "pt")
                .f32("second", new long[] {2, 2}, new float[] {1.5f, -2.25f, 3e-8f, 4e8f})
                .f32("first", new long[] {1}, new float[] {7f})
                .write(file);
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            assertEquals(List.of("second", "first"), List.copyOf(f.names()));
            assertEquals(Map.of("format", "pt"), f.metadata());
            SafeTensorsFile.Tensor second = f.find("second").orElseThrow();
            assertArrayEquals(new long[] {2, 2}, second.shape());
            assertEquals("F32", second.dtype());
            assertArrayEquals(new float[] {1.5f, -2.25f, 3e-8f, 4e8f}, f.readFloats(second));
            assertArrayEquals(new float[] {7f}, f.readFloats(f.find("first").orElseThrow()));
            assertTrue(f.find("third").isEmpty());
        }
    }

    @Test
    void unsupportedDtypeNamesFileTensorAndDtype() {
        Path file = dir.resolve("ints.safetensors");
        SafeTensorsWriter.create().i64("position_ids", new long[] {1, 3}, new long[] {0, 1, 2}).write(file);
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            ModelLoadException e = assertThrows(ModelLoadException.class,
                    () -> f.readFloats(f.find("position_ids").orElseThrow()));
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("'position_ids'"), e.getMessage());
            assertTrue(e.getMessage().contains("I64"), e.getMessage());
        }
    }

    @Test
    void offsetsOutsideTheFileNameFileAndTensor() {
        Path file = dir.resolve("short.safetensors");
        SafeTensorsWriter.writeRaw(file,
                "{\"ok\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[4,20]}}",
                new byte[8]);
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> SafeTensorsFile.open(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("tensor 'w'"), e.getMessage());
        assertTrue(e.getMessage().contains("[4, 20]"), e.getMessage());
    }

    @Test
    void byteLengthNotMatchingTheShapeIsRejectedOnRead() {
        Path file = dir.resolve("mismatch.safetensors");
        SafeTensorsWriter.writeRaw(file, "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
                new byte[8]);
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            ModelLoadException e = assertThrows(ModelLoadException.class,
                    () -> f.readFloats(f.find("w").orElseThrow()));
            assertTrue(e.getMessage().contains("tensor 'w'") && e.getMessage().contains("needs 12 bytes"),
                    e.getMessage());
        }
    }

    @Test
    void headerLongerThanTheFileIsRejected() throws Exception {
        Path file = dir.resolve("truncated.safetensors");
        ByteBuffer b = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).put((byte) '{')
                .put((byte) '}');
        Files.write(file, b.array());
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> SafeTensorsFile.open(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("1000"), e.getMessage());
    }

    @Test
    void malformedJsonHeaderIsRejected() {
        Path file = dir.resolve("garbage.safetensors");
        SafeTensorsWriter.writeRaw(file, "{\"w\": [", new byte[0]);
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> SafeTensorsFile.open(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("JSON"), e.getMessage());
    }

    @Test
    void readingAfterCloseIsAnIllegalState() {
        Path file = dir.resolve("closed.safetensors");
        SafeTensorsWriter.create().f32("w", new long[] {1}, new float[] {1f}).write(file);
        SafeTensorsFile f = SafeTensorsFile.open(file);
        SafeTensorsFile.Tensor w = f.find("w").orElseThrow();
        f.close();
        assertThrows(IllegalStateException.class, () -> f.readFloats(w));
    }
}
