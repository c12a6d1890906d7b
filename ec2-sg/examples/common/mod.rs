//! What the measuring examples share: a keep-alive HTTP/1.1 stub on 127.0.0.1, and the frame
//! of a DescribeSecurityGroups answer.

#![allow(dead_code)] // each example uses its part

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// A minimal HTTP/1.1 server on 127.0.0.1: a thread per connection, connections kept alive,
/// every request answered with the same document.
pub struct Stub {
    pub port: u16,
    accepted: Arc<AtomicUsize>,
}

impl Stub {
    /// Serves `body` (an XML answer) to every request.
    pub fn start(body: &str) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = accepted.clone();
        let response: Arc<[u8]> = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/xml;charset=UTF-8\r\nContent-Length: {}\r\n\
             Connection: keep-alive\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
        .into();
        // The thread lives as long as the process; it ends with it.
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                counter.fetch_add(1, Ordering::Relaxed);
                let response = response.clone();
                std::thread::spawn(move || serve_connection(stream, &response));
            }
        });
        Ok(Self { port, accepted })
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn connections(&self) -> usize {
        self.accepted.load(Ordering::Relaxed)
    }

    /// Connections accepted since `before`, for the table: 1 means one kept-alive connection for every call.
    pub fn since(&self, before: usize) -> String {
        match self.connections() - before {
            1 => "1 (kept alive)".to_string(),
            n => n.to_string(),
        }
    }
}

/// Answers requests on one connection until the client closes it or sends something unreadable.
fn serve_connection(stream: TcpStream, response: &[u8]) {
    let _ = stream.set_nodelay(true);
    let Ok(mut writer) = stream.try_clone() else { return };
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    loop {
        let mut content_length = 0usize;
        let mut close = false;
        // The request line and headers, up to the empty line.
        let mut first = true;
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let header = line.trim_end();
            if header.is_empty() {
                if first {
                    continue; // stray CRLF between requests
                }
                break;
            }
            first = false;
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    content_length = value.trim().parse().unwrap_or(0);
                } else if name.eq_ignore_ascii_case("connection") && value.trim().eq_ignore_ascii_case("close") {
                    close = true;
                }
            }
        }
        let mut body = vec![0; content_length];
        if reader.read_exact(&mut body).is_err() || writer.write_all(response).is_err() || close {
            return;
        }
    }
}

/// A DescribeSecurityGroups answer as EC2 frames it, with `groups` items that `write_group`
/// writes (it is given the buffer and the group's index).
pub fn describe_answer(groups: usize, mut write_group: impl FnMut(&mut String, usize)) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <DescribeSecurityGroupsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\n\
         <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>\n<securityGroupInfo>\n",
    );
    for group in 0..groups {
        write_group(&mut xml, group);
    }
    xml.push_str("</securityGroupInfo>\n</DescribeSecurityGroupsResponse>\n");
    xml
}

/// Opens a group's `<item>` with its identity (owner, id, name, description, VPC, ARN), as EC2
/// writes it, and returns the group id.
pub fn write_group_head(xml: &mut String, index: usize) -> String {
    use std::fmt::Write as _;
    let id = format!("sg-{index:017x}");
    write!(
        xml,
        "<item><ownerId>123456789012</ownerId><groupId>{id}</groupId><groupName>group-{index}</groupName>\
         <groupDescription>security group number {index}</groupDescription><vpcId>vpc-0a1b2c3d4e5f60718</vpcId>\
         <securityGroupArn>arn:aws:ec2:us-east-1:123456789012:security-group/{id}</securityGroupArn>"
    )
    .expect("writing to a String cannot fail");
    id
}
