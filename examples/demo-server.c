/* demo-server.c: the demo's server on 127.0.0.1, for the library to say goodbye to
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each client sends lines; the server answers "ACK BYE" to "BYE" and forgets the
 * client once it hangs up. Nothing here uses atexit-glib: the demo decides when the
 * server stops (demo.c).
 */

#include <string.h>

#include "demo-server.h"

struct _DemoServer {
  GSocketService *service;
  GCancellable   *cancellable;  /* the clients' reads and writes */
  GPtrArray      *clients;      /* (element-type Client): each has a read or a write pending */
  guint16         port;
  gboolean        got_bye;      /* a client said BYE and was answered */
};

typedef struct {
  DemoServer        *server;      /* NULL once the server is freed */
  GSocketConnection *connection;
  GDataInputStream  *input;
} Client;

static void
client_free (gpointer data)
{
  Client *client = data;

  g_io_stream_close (G_IO_STREAM (client->connection), NULL, NULL);
  g_clear_object (&client->input);
  g_clear_object (&client->connection);
  g_free (client);
}

/* The client hung up, or its pending read or write has ended after the server went. */
static void
client_done (Client *client)
{
  if (client->server != NULL)
    g_ptr_array_remove_fast (client->server->clients, client);
  client_free (client);
}

static void client_read_line (Client *client);

static void
client_answered_cb (GObject      *output,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Client *client = user_data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (output), result, NULL, NULL) ||
      client->server == NULL)
    {
      client_done (client);
      return;
    }

  client->server->got_bye = TRUE;
  client_read_line (client);
}

static void
client_line_cb (GObject      *input,
                GAsyncResult *result,
                gpointer      user_data)
{
  Client *client = user_data;
  g_autofree char *line = NULL;
  GOutputStream *output;

  line = g_data_input_stream_read_line_finish_utf8 (client->input, result, NULL, NULL);
  if (line == NULL || client->server == NULL)
    {
      client_done (client);
      return;
    }

  if (strcmp (line, "BYE") != 0)
    {
      client_read_line (client);
      return;
    }

  g_print ("server: got BYE, answering ACK BYE\n");
  output = g_io_stream_get_output_stream (G_IO_STREAM (client->connection));
  g_output_stream_write_all_async (output, "ACK BYE\n", 8, G_PRIORITY_DEFAULT,
                                   client->server->cancellable, client_answered_cb, client);
}

static void
client_read_line (Client *client)
{
  g_data_input_stream_read_line_async (client->input, G_PRIORITY_DEFAULT,
                                       client->server->cancellable, client_line_cb, client);
}

static gboolean
server_incoming_cb (GSocketService    *service,
                    GSocketConnection *connection,
                    GObject           *source_object,
                    gpointer           user_data)
{
  DemoServer *server = user_data;
  Client *client = g_new0 (Client, 1);
  GInputStream *input = g_io_stream_get_input_stream (G_IO_STREAM (connection));

  client->server = server;
  client->connection = g_object_ref (connection);
  client->input = g_data_input_stream_new (input);
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (client->input), FALSE);
  g_ptr_array_add (server->clients, client);
  client_read_line (client);

  return TRUE;
}

/* Listens on an ephemeral port of 127.0.0.1. */
DemoServer *
demo_server_new (GError **error)
{
  g_autoptr(DemoServer) server = g_new0 (DemoServer, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  server->cancellable = g_cancellable_new ();
  server->clients = g_ptr_array_new ();
  server->service = g_socket_service_new ();
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (server->service), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                      NULL, &bound, error))
    return NULL;
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_signal_connect (server->service, "incoming", G_CALLBACK (server_incoming_cb), server);
  g_socket_service_start (server->service);

  return g_steal_pointer (&server);
}

guint16
demo_server_get_port (DemoServer *server)
{
  return server->port;
}

/* Stops taking new clients; those connected keep their connections. */
void
demo_server_stop (DemoServer *server)
{
  g_socket_service_stop (server->service);
  g_socket_listener_close (G_SOCKET_LISTENER (server->service));
}

guint
demo_server_get_n_clients (DemoServer *server)
{
  return server->clients->len;
}

gboolean
demo_server_got_bye (DemoServer *server)
{
  return server->got_bye;
}

/* Clients still connected are freed by the callback of their pending read or write,
 * which the cancellation ends. */
void
demo_server_free (DemoServer *server)
{
  for (guint i = 0; i < server->clients->len; i++)
    ((Client *) g_ptr_array_index (server->clients, i))->server = NULL;
  g_cancellable_cancel (server->cancellable);
  if (server->service != NULL)
    {
      g_signal_handlers_disconnect_by_data (server->service, server);
      demo_server_stop (server);
    }
  g_clear_object (&server->service);
  g_clear_pointer (&server->clients, g_ptr_array_unref);
  g_clear_object (&server->cancellable);
  g_free (server);
}
