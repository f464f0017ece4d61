package closetaskbulk;

import java.nio.channels.FileChannel;
import java.nio.file.Path;

import org.apache.camel.support.service.ServiceSupport;

/** This process's hold on bulk.state (StartChecks.lockState), taken at configuration, let go when Camel stops. */
final class StateLock extends ServiceSupport {

    private final FileChannel channel;

    StateLock(Path state) {
        this.channel = StartChecks.lockState(state);
    }

    @Override
    protected void doStop() {
        StartChecks.close(channel);
    }

    @Override
    protected void doShutdown() {
        StartChecks.close(channel);
    }

    /** A start that failed after the lock was taken lets it go too. */
    void release() {
        StartChecks.close(channel);
    }
}
