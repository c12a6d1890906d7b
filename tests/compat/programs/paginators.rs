//! Paginators as aws-sdk-ec2 programs read them.

use ec2_sg::types::Filter;
use ec2_sg::{Client, Error};

/// Every group's id: `into_paginator().items().send().collect::<Result<Vec<_>, _>>()`.
pub async fn all_group_ids(client: &Client) -> Result<Vec<String>, Error> {
    let groups =
        client.describe_security_groups().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await?;
    Ok(groups.iter().filter_map(|g| g.group_id()).map(str::to_string).collect())
}

/// The rules of one group, page by page: `while let Some(page) = pages.try_next().await?`.
pub async fn count_rules(client: &Client, group_id: &str) -> Result<usize, Error> {
    let mut pages = client
        .describe_security_group_rules()
        .filters(Filter::builder().name("group-id").values(group_id).build())
        .into_paginator()
        .page_size(100)
        .send();
    let mut rules = 0;
    while let Some(page) = pages.try_next().await? {
        rules += page.security_group_rules().len();
    }
    Ok(rules)
}

/// `next().await` on the item stream.
pub async fn first_group_named(client: &Client, name: &str) -> Result<Option<String>, Error> {
    let mut groups = client.describe_security_groups().into_paginator().items().send();
    while let Some(group) = groups.next().await {
        let group = group?;
        if group.group_name() == Some(name) {
            return Ok(group.group_id().map(str::to_string));
        }
    }
    Ok(None)
}
