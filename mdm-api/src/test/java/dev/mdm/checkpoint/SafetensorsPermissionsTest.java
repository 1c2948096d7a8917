package dev.mdm.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mdm.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Safetensors writes keep file permissions usable")
class SafetensorsPermissionsTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("a new file is readable by others as the umask allows (not the 0600 of a temporary file)")
    void newFileIsNotPrivate() throws IOException {
        assumeTrue(Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class), "POSIX permissions");
        Path probe = Files.createFile(dir.resolve("probe"));
        Path f = dir.resolve("m.safetensors");
        Safetensors.write(f, Map.of("a", Tensor.scalar(1)), Map.of());
        assertThat(Files.getPosixFilePermissions(f)).isEqualTo(Files.getPosixFilePermissions(probe));
        assertThat(Files.getPosixFilePermissions(f)).contains(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    }

    @Test
    @DisplayName("replacing a file keeps the permissions it had")
    void replacingKeepsPermissions() throws IOException {
        assumeTrue(Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class), "POSIX permissions");
        Path f = dir.resolve("m.safetensors");
        Safetensors.write(f, Map.of("a", Tensor.scalar(1)), Map.of());
        Set<PosixFilePermission> custom = PosixFilePermissions.fromString("rw-rw-r--");
        Files.setPosixFilePermissions(f, custom);
        Safetensors.write(f, Map.of("b", Tensor.scalar(2)), Map.of());
        assertThat(Files.getPosixFilePermissions(f)).isEqualTo(custom);
    }
}
