/* libuv's idiomatic echo server (the shape of its docs' tcp-echo-server and udp examples):
 * a malloc'd buffer per read, a malloc'd write request per write.
 * Usage: libuv_echo PORT [udp] */
#include <stdlib.h>
#include <string.h>
#include <uv.h>

typedef struct {
  uv_write_t req;
  uv_buf_t buf;
} write_req_t;

static uv_loop_t *loop;

static void alloc_buffer(uv_handle_t *handle, size_t suggested, uv_buf_t *buf) {
  (void)handle;
  buf->base = malloc(suggested);
  buf->len = suggested;
}

static void on_close(uv_handle_t *handle) { free(handle); }

static void after_write(uv_write_t *req, int status) {
  (void)status;
  write_req_t *wr = (write_req_t *)req;
  free(wr->buf.base);
  free(wr);
}

static void on_read(uv_stream_t *client, ssize_t nread, const uv_buf_t *buf) {
  if (nread > 0) {
    write_req_t *req = malloc(sizeof *req);
    req->buf = uv_buf_init(buf->base, (unsigned)nread);
    uv_write(&req->req, client, &req->buf, 1, after_write);
    return;
  }
  if (nread < 0) uv_close((uv_handle_t *)client, on_close);
  free(buf->base);
}

static void on_connection(uv_stream_t *server, int status) {
  if (status < 0) return;
  uv_tcp_t *client = malloc(sizeof *client);
  uv_tcp_init(loop, client);
  if (uv_accept(server, (uv_stream_t *)client) == 0) {
    uv_read_start((uv_stream_t *)client, alloc_buffer, on_read);
  } else {
    uv_close((uv_handle_t *)client, on_close);
  }
}

static uv_udp_t udp;
static void after_send(uv_udp_send_t *req, int status) {
  (void)status;
  free(req->data);
  free(req);
}
static void on_datagram(uv_udp_t *handle, ssize_t nread, const uv_buf_t *buf,
                        const struct sockaddr *addr, unsigned flags) {
  (void)flags;
  if (nread >= 0 && addr != NULL) {
    uv_udp_send_t *req = malloc(sizeof *req);
    uv_buf_t reply = uv_buf_init(buf->base, (unsigned)nread);
    req->data = buf->base;
    uv_udp_send(req, handle, &reply, 1, addr, after_send);
    return;
  }
  free(buf->base);
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  loop = uv_default_loop();
  struct sockaddr_in addr;
  uv_ip4_addr("127.0.0.1", atoi(argv[1]), &addr);
  if (argc > 2 && strcmp(argv[2], "udp") == 0) {
    uv_udp_init(loop, &udp);
    uv_udp_bind(&udp, (const struct sockaddr *)&addr, UV_UDP_REUSEADDR);
    uv_udp_recv_start(&udp, alloc_buffer, on_datagram);
  } else {
    static uv_tcp_t server;
    uv_tcp_init(loop, &server);
    uv_tcp_bind(&server, (const struct sockaddr *)&addr, 0);
    if (uv_listen((uv_stream_t *)&server, 4096, on_connection) != 0) return 1;
  }
  return uv_run(loop, UV_RUN_DEFAULT);
}
