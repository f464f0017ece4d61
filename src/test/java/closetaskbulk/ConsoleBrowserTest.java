package closetaskbulk;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console in a real browser (Debian's chromium and chromium-driver; .ci/run installs them), against the
 * service and the emulator: upload, preview, the plan, approve, progress, results, the retry file; then a
 * sweep's dry run. Screenshots go to target/screenshots/.
 */
class ConsoleBrowserTest extends ServiceTestSupport {

    static final Path DRIVER = Path.of(System.getProperty("chromedriver", "/usr/bin/chromedriver"));
    static final Path CHROMIUM = Path.of(System.getProperty("chromium", "/usr/bin/chromium"));
    static final Path SHOTS = Path.of("target/screenshots");

    private WebDriver browser;
    private Path downloads;

    @Override
    protected void prepare(Fixture fixture) {
        Map<String, String> sweep = new java.util.LinkedHashMap<>();
        sweep.put("enabled", "true");
        sweep.put("cron", "0 0 3 1 1 ? 2099"); // never on its own during the test
        sweep.put("time-zone", "Europe/Berlin");
        sweep.put("filter", "is_complete=false&assigned_to=" + Fixture.ALICE);
        sweep.put("assigned-to", "bob.smith@example.com");
        fixture.addSweep("handover", sweep);
        fixture.set("sweep.handover.run-missed", "false");
    }

    @AfterEach
    void quit() {
        if (browser != null) {
            browser.quit();
        }
    }

    private WebDriver browser() throws Exception {
        boolean required = Boolean.getBoolean("tests.browser.required");
        Assumptions.assumeTrue(required || Files.isExecutable(DRIVER) && Files.isExecutable(CHROMIUM),
                "no chromium and chromium-driver here (.ci/run installs them)");
        downloads = Files.createDirectories(f.dir.resolve("downloads"));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1100");
        Map<String, Object> prefs = new HashMap<>();
        prefs.put("download.default_directory", downloads.toString());
        prefs.put("download.prompt_for_download", false);
        options.setExperimentalOption("prefs", prefs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        return browser;
    }

    private void shot(String name) throws Exception {
        Files.createDirectories(SHOTS);
        Path png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(png, SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void uploadPreviewApproveFollowDownloadAndDryRunASweep() throws Exception {
        List<String> ids = f.seed(8);
        WebDriver b = browser();
        WebDriverWait wait = new WebDriverWait(b, Duration.ofSeconds(30));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class); // the page redraws as it polls
        String console = "http://127.0.0.1:" + f.settings.get("camel.server.port") + "/";
        b.get(console);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), "signed in as local"));

        // upload: two updates (two batches), and a bad row
        Path csv = f.dir.resolve("friday-cleanup.csv");
        StringBuilder rows = new StringBuilder("id,is_complete,assigned_to\n");
        for (int i = 0; i < 3; i++) {
            rows.append(ids.get(i)).append(",true,\n");
        }
        for (int i = 3; i < 6; i++) {
            rows.append(ids.get(i)).append(",,Bob.Smith@example.com\n");
        }
        rows.append("TASK-7,true,\n");
        Files.writeString(csv, rows.toString());
        b.findElement(By.id("file")).sendKeys(csv.toAbsolutePath().toString());
        wait.until(ExpectedConditions.elementToBeClickable(By.id("preview-btn"))).click();

        // preview: its run, then its plan
        wait.until(ExpectedConditions.urlContains("#/run/friday-cleanup"));
        wait.until(ExpectedConditions.elementToBeClickable(By.id("review-plan"))).click();
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#plan-rows tbody tr"), 6));
        String plan = b.findElement(By.id("plan-rows")).getText();
        assertTrue(plan.contains(Fixture.BOB) && plan.contains("→"), plan);
        assertEquals(0, f.count("PUT /task/"), "a preview sends nothing");
        shot("2-plan");

        // approve: one of the two writes is refused by Close, so the run has a retry file
        f.emulator.faults().failNext("PUT /task/", 1, 400);
        b.findElement(By.id("approve-btn")).click();
        b.switchTo().alert().accept();
        wait.until(ExpectedConditions.urlContains("#/run/friday-cleanup.plan"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("run-meta"), "done"));
        assertTrue(b.findElement(By.id("run-meta")).getText().contains("approved by local"),
                b.findElement(By.id("run-meta")).getText());
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#results tbody tr"), 6));
        // the run over time: three panels, each a line
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("run-chart")));
        assertEquals(3, b.findElements(By.cssSelector("#run-chart .panel svg polyline")).size());
        assertTrue(b.findElement(By.id("run-chart")).getText().contains("Requests per second"));
        assertEquals(List.of("UPDATED", "FAILED"), b.findElements(By.cssSelector("#run-counts svg.bar rect title")).stream()
                .map(t -> t.getAttribute("textContent").split(" ")[0]).toList(), "a stacked bar of its statuses");
        String results = b.findElement(By.id("results")).getText();
        assertTrue(results.contains("UPDATED") && results.contains("FAILED"), results);
        shot("3-results");
        new org.openqa.selenium.support.ui.Select(b.findElement(By.id("status-filter"))).selectByVisibleText("FAILED");
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#results tbody tr"), 3));

        // the retry file, downloaded by the browser
        b.findElement(By.id("download-retry")).click();
        Path retry = downloads.resolve("friday-cleanup.plan.retry.csv");
        wait.until(d -> Files.exists(retry));
        List<String> lines = Files.readAllLines(retry);
        assertEquals(4, lines.size(), lines.toString());
        assertTrue(lines.get(0).endsWith(",line,error"), lines.get(0));

        // a sweep's dry run, from the home page
        b.get(console + "#/");
        wait.until(ExpectedConditions.refreshed(ExpectedConditions.elementToBeClickable(
                By.cssSelector("button[aria-label='Dry run sweep handover now']")))).click();
        b.switchTo().alert().accept();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("runs"), "sweep (preview)"));
        wait.until(d -> f.files(f.reports).stream().anyMatch(n -> n.startsWith("sweep-handover-") && n.endsWith(".summary.json")));
        assertFalse(b.getPageSource().contains(Fixture.KEY), "the key is on no page");
        // every run in the list has its stacked bar, labelled; the sweep shows its last runs
        wait.until(d -> d.findElements(By.cssSelector("#sweeps .history a")).size() == 1);
        // the history may first show the run as running: the page polls until it has ended
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#sweeps .history"), "DRY_RUN"));
        for (var row : b.findElements(By.cssSelector("#runs tbody tr"))) {
            if (!row.findElements(By.cssSelector(".counts .badge")).isEmpty()) {
                assertFalse(row.findElements(By.cssSelector(".statusbar svg.bar rect")).isEmpty(), row.getText());
            }
        }
        ((org.openqa.selenium.JavascriptExecutor) b).executeScript("window.scrollTo(0, 0)");
        shot("1-console");

        // at phone width the page does not scroll sideways (wide tables scroll inside their own box)
        b.manage().window().setSize(new org.openqa.selenium.Dimension(390, 900));
        wait.until(d -> (Boolean) ((org.openqa.selenium.JavascriptExecutor) d).executeScript(
                "return document.documentElement.scrollWidth <= window.innerWidth + 1"));
        shot("4-phone");
    }

    @Test
    void theChartFollowsALiveRunAndHoldsAtPhoneWidth() throws Exception {
        List<String> ids = f.seed(60);
        WebDriver b = browser();
        WebDriverWait wait = new WebDriverWait(b, Duration.ofSeconds(60));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class); // the page redraws as it polls
        b.get("http://127.0.0.1:" + f.settings.get("camel.server.port") + "/#/run/live-chart");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), "signed in as local"));
        // a distinct date per row: a batch each, every call slowed, a few 429s
        f.emulator.faults().latency(300, 0).burst429Rate(0.1);
        StringBuilder rows = new StringBuilder("id,date,lead_name\n");
        for (int i = 0; i < ids.size(); i++) {
            rows.append(ids.get(i)).append(",2027-01-").append(String.format("%02d", 1 + i % 28)).append(i < 28 ? "" : i < 56 ? "T09:00:00Z" : "T10:00:00Z")
                    .append(",Lead ").append(i).append('\n');
        }
        try {
            f.drop("live-chart.csv", rows.toString());
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("run-chart")));
            // read in the page in one step: the page redraws the chart as it polls, so an element found a moment
            // ago may be gone (stale) by the time it is read
            String line = "return document.querySelector('#run-chart .panel:first-child polyline').getAttribute('points')";
            var js = (org.openqa.selenium.JavascriptExecutor) b;
            String first = (String) js.executeScript(line);
            assertTrue((Boolean) js.executeScript("return document.getElementById('run-progress').offsetParent !== null"),
                    "still running");
            wait.until(d -> !first.equals(js.executeScript(line))); // it follows the run
            shot("5-live-chart");
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("run-meta"), "done"));
        } finally {
            f.emulator.faults().clear();
        }
        assertEquals(3, b.findElements(By.cssSelector("#run-chart .panel svg polyline")).size());
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#results thead"), "lead_name"));
        b.manage().window().setSize(new org.openqa.selenium.Dimension(390, 900));
        wait.until(d -> (Boolean) ((org.openqa.selenium.JavascriptExecutor) d).executeScript(
                "return document.documentElement.scrollWidth <= window.innerWidth + 1"
                        + " && document.getElementById('run-chart').getBoundingClientRect().right <= window.innerWidth"));
        shot("6-chart-phone");
    }
}
