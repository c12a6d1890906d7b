//! The botocore service model (`service-2.json`), typed. Only what the generator reads is
//! declared; everything else in the file is ignored, so upstream additions never break parsing.

use serde::Deserialize;
use std::collections::BTreeMap;

/// A botocore service model.
#[derive(Debug, Clone, Deserialize)]
pub struct ServiceModel {
    pub metadata: Metadata,
    #[serde(default)]
    pub operations: BTreeMap<String, Operation>,
    #[serde(default)]
    pub shapes: BTreeMap<String, Shape>,
    /// The service's documentation (botocore's HTML).
    #[serde(default)]
    pub documentation: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    pub api_version: String,
    pub protocol: String,
    #[serde(default)]
    pub endpoint_prefix: Option<String>,
    #[serde(default)]
    pub signing_name: Option<String>,
    #[serde(default)]
    pub service_id: Option<String>,
    #[serde(default)]
    pub service_full_name: Option<String>,
    #[serde(default)]
    pub xml_namespace: Option<String>,
    /// `ec2-2016-11-15`: the key of AWS's API reference links (`docs.aws.amazon.com/goto/WebAPI/{uid}/{name}`).
    #[serde(default)]
    pub uid: Option<String>,
    /// The base of the service's API reference pages (`…/APIReference/`, operation and data
    /// type pages at `API_{Name}.html`). botocore does not carry it: `model/selection.json`
    /// gives it and `cargo xtask sync-model` writes it here.
    #[serde(default)]
    pub api_reference: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Operation {
    pub name: String,
    pub http: Http,
    #[serde(default)]
    pub input: Option<ShapeRef>,
    #[serde(default)]
    pub output: Option<ShapeRef>,
    #[serde(default)]
    pub errors: Vec<ShapeRef>,
    #[serde(default)]
    pub endpoint: Option<EndpointTrait>,
    #[serde(default)]
    pub requestcompression: Option<RequestCompression>,
    #[serde(default)]
    pub deprecated: bool,
    /// `none`: the request is sent unsigned (calls that obtain credentials).
    #[serde(default)]
    pub authtype: Option<String>,
    /// Smithy auth schemes, in order of preference; `smithy.api#noAuth` alone means unsigned.
    #[serde(default)]
    pub auth: Vec<String>,
    /// botocore's HTML documentation of the operation.
    #[serde(default)]
    pub documentation: Option<String>,
}

impl Operation {
    /// Whether requests are signed: not when the model says the operation needs no auth.
    pub fn is_signed(&self) -> bool {
        let no_auth = self.auth.iter().all(|scheme| scheme == "smithy.api#noAuth");
        !(self.authtype.as_deref() == Some("none") || (!self.auth.is_empty() && no_auth))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Http {
    pub method: String,
    pub request_uri: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointTrait {
    pub host_prefix: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RequestCompression {
    #[serde(default)]
    pub encodings: Vec<String>,
}

/// A reference to a shape, with the member traits that change the wire format.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShapeRef {
    pub shape: String,
    #[serde(default)]
    pub location_name: Option<String>,
    #[serde(default)]
    pub query_name: Option<String>,
    #[serde(default)]
    pub flattened: bool,
    #[serde(default)]
    pub timestamp_format: Option<String>,
    #[serde(default)]
    pub idempotency_token: bool,
    #[serde(default)]
    pub host_label: bool,
    #[serde(default)]
    pub deprecated: bool,
    /// AWS Query: the element of the response the output is wrapped in (`{Op}Result`).
    #[serde(default)]
    pub result_wrapper: Option<String>,
    /// botocore's HTML documentation of the member.
    #[serde(default)]
    pub documentation: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Shape {
    #[serde(rename = "type")]
    pub kind: ShapeKind,
    #[serde(default)]
    pub members: BTreeMap<String, ShapeRef>,
    #[serde(default)]
    pub required: Vec<String>,
    #[serde(default)]
    pub member: Option<ShapeRef>,
    #[serde(default)]
    pub key: Option<ShapeRef>,
    #[serde(default)]
    pub value: Option<ShapeRef>,
    #[serde(default, rename = "enum")]
    pub enum_values: Option<Vec<String>>,
    #[serde(default)]
    pub timestamp_format: Option<String>,
    #[serde(default)]
    pub flattened: bool,
    #[serde(default)]
    pub exception: bool,
    #[serde(default)]
    pub error: Option<ErrorTrait>,
    #[serde(default)]
    pub sensitive: bool,
    #[serde(default)]
    pub deprecated: bool,
    /// botocore's HTML documentation of the shape.
    #[serde(default)]
    pub documentation: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShapeKind {
    Structure,
    List,
    Map,
    String,
    Integer,
    Long,
    Float,
    Double,
    Boolean,
    Timestamp,
    Blob,
    /// botocore's `byte`/`short`/`bigInteger`-style numbers are not used by EC2; parse them
    /// so a model that has them fails generation with a clear message instead of a serde error.
    #[serde(other)]
    Unsupported,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorTrait {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub http_status_code: Option<u16>,
}

impl ServiceModel {
    /// Parses a `service-2.json` document.
    pub fn from_json(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| format!("invalid service model: {e}"))
    }

    /// The shape a reference points at, or an error naming the dangling reference.
    pub fn shape(&self, name: &str) -> Result<&Shape, String> {
        self.shapes.get(name).ok_or_else(|| format!("the model references shape `{name}`, which it does not define"))
    }
}

impl ShapeRef {
    /// The wire name in an XML response: `locationName`, else the member name.
    pub fn xml_name<'a>(&'a self, member_name: &'a str) -> &'a str {
        self.location_name.as_deref().unwrap_or(member_name)
    }

    /// The key in an AWS Query request: `locationName`, else the member name, as given.
    pub fn aws_query_name<'a>(&'a self, member_name: &'a str) -> &'a str {
        self.location_name.as_deref().unwrap_or(member_name)
    }

    /// The key in an EC2 Query request: `queryName`, else `locationName` with its first letter
    /// upper-cased, else the member name with its first letter upper-cased.
    pub fn query_name(&self, member_name: &str) -> String {
        if let Some(query_name) = &self.query_name {
            return query_name.clone();
        }
        let base = self.location_name.as_deref().unwrap_or(member_name);
        let mut chars = base.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        }
    }
}

impl Shape {
    /// The error code of an exception shape: its `error.code`, else its name.
    pub fn error_code<'a>(&'a self, shape_name: &'a str) -> &'a str {
        self.error.as_ref().and_then(|e| e.code.as_deref()).unwrap_or(shape_name)
    }
}
