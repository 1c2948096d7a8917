// What `bin/notebook` (no file) imports before the prompt: the SDK's packages and the examples' helpers.
import dev.mdm.*;
import dev.mdm.checkpoint.*;
import dev.mdm.data.*;
import dev.mdm.model.*;
import dev.mdm.sampling.*;
import dev.mdm.spi.*;
import dev.mdm.task.*;
import dev.mdm.tensor.*;
import dev.mdm.text.*;
import dev.mdm.training.*;
import dev.mdm.examples.model.ShippedModel;
import dev.mdm.examples.image.Images;
import java.nio.file.*;
import java.util.*;
System.out.println("MDM for Java: the SDK's packages are imported. Try MDM.diagnose(), or "
        + "var mdm = MDM.load(ShippedModel.checkpoint().orElseThrow()); (/exit to leave)");
