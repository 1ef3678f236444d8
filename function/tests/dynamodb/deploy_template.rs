//! The deployment template (function/template.yaml: Lambda, DynamoDB, S3 and
//! CloudFront) passes AWS's CloudFormation linter, cfn-lint.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Set in CI: a missing test tool is a failure, not a skip.
const REQUIRE_VAR: &str = "MAILLAGE_REQUIRE_MOTO";

fn template() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("template.yaml")
}

/// cfn-lint from the test environment (tests/setup.sh), or `None` to skip.
fn cfn_lint() -> Option<PathBuf> {
    let mut candidates = Vec::new();
    if let Some(python) = std::env::var_os("MAILLAGE_TEST_PYTHON") {
        if let Some(bin) = Path::new(&python).parent() {
            candidates.push(bin.join("cfn-lint"));
        }
    }
    candidates
        .push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/test-env/venv/bin/cfn-lint"));
    let found = candidates.into_iter().find(|path| path.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os(REQUIRE_VAR).is_none(),
            "cfn-lint is not installed ({REQUIRE_VAR} is set): run `. tests/setup.sh`"
        );
        eprintln!("SKIPPED: cfn-lint not found; run `. tests/setup.sh` to lint the template");
    }
    found
}

fn lint(cfn_lint: &Path, template: &Path) -> (bool, String) {
    let output = Command::new(cfn_lint)
        .arg("--format")
        .arg("parseable")
        .arg("--")
        .arg(template)
        .output()
        .expect("run cfn-lint");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), report)
}

#[test]
fn the_deployment_template_passes_cfn_lint() {
    let Some(cfn_lint) = cfn_lint() else {
        return;
    };
    let (clean, report) = lint(&cfn_lint, &template());
    assert!(clean, "cfn-lint found problems:\n{report}");
    assert!(report.trim().is_empty(), "no warnings either:\n{report}");
}

#[test]
fn cfn_lint_catches_a_broken_table() {
    let Some(cfn_lint) = cfn_lint() else {
        return;
    };
    // The check above would mean little if the linter passed anything.
    let text = std::fs::read_to_string(template()).unwrap();
    assert!(text.contains("BillingMode: PAY_PER_REQUEST"));
    let broken = text.replace("BillingMode: PAY_PER_REQUEST", "BillingMode: ON_DEMAND");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("template.yaml");
    std::fs::write(&path, broken).unwrap();
    let (clean, report) = lint(&cfn_lint, &path);
    assert!(!clean, "{report}");
    assert!(report.contains("ON_DEMAND"), "{report}");
}

#[test]
fn the_template_keeps_personal_data_rules() {
    let text = std::fs::read_to_string(template()).unwrap();
    for expected in [
        "AttributeName: expires_at",
        "PointInTimeRecoveryEnabled: true",
        "Runtime: provided.al2023",
        "Handler: bootstrap",
        "- !Ref SiteOrigin",
        // The scheduled flush of the rebuild trigger, allowed to invoke.
        "ScheduleExpression: rate(1 minute)",
        "Principal: events.amazonaws.com",
        "SourceArn: !GetAtt FlushSchedule.Arn",
        // The purge and the repair on their own schedules, allowed to invoke.
        "SourceArn: !GetAtt PurgeScheduleRule.Arn",
        "SourceArn: !GetAtt RepairScheduleRule.Arn",
        r#""detail": {"purge": true}"#,
        r#""detail": {"repair": true}"#,
        // The reminders, on their own schedule, only with emails.
        "SourceArn: !GetAtt ReminderScheduleRule.Arn",
        r#""detail": {"remind": true}"#,
        "MAILLAGE_REMINDER_HOURS: !Ref ReminderHours",
        // The purge deletes in batches.
        "- dynamodb:BatchWriteItem",
        // Secrets by name only, read with GetParameter.
        "MAILLAGE_TRIGGER_SECRET_PARAMETER: !Ref TriggerSecretParameter",
        "MAILLAGE_SMTP_URL_PARAMETER: !Ref SmtpUrlParameter",
        "Action: ssm:GetParameter",
    ] {
        assert!(text.contains(expected), "template lacks {expected:?}");
    }
    assert!(
        !text.contains("dynamodb:*") && !text.contains("ssm:*") && !text.contains("Action: \"*\""),
        "no wildcard permissions"
    );
}
