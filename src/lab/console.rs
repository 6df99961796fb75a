//! AWS console links and ARNs for the lab's resources, per region and partition.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// A resource the console has a page for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource<'a> {
    /// A CloudFormation stack, by name (the console resolves a name to the live stack).
    Stack(&'a str),
    Pipeline(&'a str),
    /// A Service Catalog portfolio, by id (`port-…`).
    Portfolio(&'a str),
    /// A provisioned product: its name and id (`pp-…`).
    Product {
        name: &'a str,
        id: &'a str,
    },
    Endpoint(&'a str),
    Notebook(&'a str),
    Bucket(&'a str),
}

/// The AWS partition a region belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Partition {
    Aws,
    China,
    GovCloud,
}

impl Partition {
    pub fn of(region: &str) -> Partition {
        if region.starts_with("cn-") {
            Partition::China
        } else if region.starts_with("us-gov-") {
            Partition::GovCloud
        } else {
            Partition::Aws
        }
    }

    /// The partition's name in ARNs.
    pub fn arn(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::China => "aws-cn",
            Partition::GovCloud => "aws-us-gov",
        }
    }

    /// The console's host for a region.
    fn console_host(self, region: &str) -> String {
        match self {
            Partition::Aws => format!("{region}.console.aws.amazon.com"),
            Partition::China => "console.amazonaws.cn".into(),
            Partition::GovCloud => "console.amazonaws-us-gov.com".into(),
        }
    }

    fn s3_console_host(self) -> &'static str {
        match self {
            Partition::Aws => "s3.console.aws.amazon.com",
            Partition::China => "console.amazonaws.cn",
            Partition::GovCloud => "console.amazonaws-us-gov.com",
        }
    }

    fn signin_host(self) -> &'static str {
        match self {
            Partition::Aws => "signin.aws.amazon.com",
            Partition::China => "signin.amazonaws.cn",
            Partition::GovCloud => "signin.amazonaws-us-gov.com",
        }
    }
}

/// Every byte but RFC 3986's unreserved characters (`A-Z a-z 0-9 - _ . ~`) is encoded.
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encode everything but RFC 3986's unreserved characters.
pub fn encode(s: &str) -> String {
    utf8_percent_encode(s, NOT_UNRESERVED).to_string()
}

/// The console page of a resource in a region.
pub fn page_url(region: &str, resource: Resource<'_>) -> String {
    let p = Partition::of(region);
    let host = p.console_host(region);
    let r = region;
    match resource {
        Resource::Stack(name) => format!(
            "https://{host}/cloudformation/home?region={r}#/stacks/stackinfo?stackId={}",
            encode(name)
        ),
        Resource::Pipeline(name) => format!(
            "https://{host}/codesuite/codepipeline/pipelines/{}/view?region={r}",
            encode(name)
        ),
        Resource::Portfolio(id) => format!(
            "https://{host}/servicecatalog/home?region={r}#portfolios/{}",
            encode(id)
        ),
        Resource::Product { id, .. } => format!(
            "https://{host}/servicecatalog/home?region={r}#provisioned-products/{}",
            encode(id)
        ),
        Resource::Endpoint(name) => format!(
            "https://{host}/sagemaker/home?region={r}#/endpoints/{}",
            encode(name)
        ),
        Resource::Notebook(name) => format!(
            "https://{host}/sagemaker/home?region={r}#/notebook-instances/{}",
            encode(name)
        ),
        Resource::Bucket(name) => format!(
            "https://{}/s3/buckets/{}?region={r}",
            p.s3_console_host(),
            encode(name)
        ),
    }
}

/// The console's switch-role page for a role in an account, landing on `redirect` afterwards.
pub fn switch_role_url(
    region: &str,
    account: &str,
    role_name: &str,
    display_name: &str,
    redirect: &str,
) -> String {
    format!(
        "https://{}/switchrole?roleName={}&account={}&displayName={}&redirect_uri={}",
        Partition::of(region).signin_host(),
        encode(role_name),
        encode(account),
        encode(display_name),
        encode(redirect)
    )
}

/// The resource's ARN; `None` for a stack, whose ARN carries an id crossdeck does not read.
pub fn arn(region: &str, account: &str, resource: Resource<'_>) -> Option<String> {
    let p = Partition::of(region).arn();
    Some(match resource {
        Resource::Stack(_) => return None,
        Resource::Pipeline(name) => format!("arn:{p}:codepipeline:{region}:{account}:{name}"),
        Resource::Portfolio(id) => format!("arn:{p}:catalog:{region}:{account}:portfolio/{id}"),
        Resource::Product { name, id } => {
            format!("arn:{p}:servicecatalog:{region}:{account}:stack/{name}/{id}")
        }
        // SageMaker ARNs carry the name in lower case.
        Resource::Endpoint(name) => format!(
            "arn:{p}:sagemaker:{region}:{account}:endpoint/{}",
            name.to_lowercase()
        ),
        Resource::Notebook(name) => format!(
            "arn:{p}:sagemaker:{region}:{account}:notebook-instance/{}",
            name.to_lowercase()
        ),
        Resource::Bucket(name) => format!("arn:{p}:s3:::{name}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_keeps_only_unreserved_characters() {
        assert_eq!(encode("a-b_c.d~e"), "a-b_c.d~e");
        assert_eq!(encode("a b/c?d=e&f#"), "a%20b%2Fc%3Fd%3De%26f%23");
        assert_eq!(encode("é"), "%C3%A9");
    }

    #[test]
    fn partitions_follow_the_region() {
        assert_eq!(Partition::of("eu-west-1"), Partition::Aws);
        assert_eq!(Partition::of("cn-north-1"), Partition::China);
        assert_eq!(Partition::of("us-gov-west-1"), Partition::GovCloud);
        assert_eq!(Partition::of("us-east-1").arn(), "aws");
    }
}
