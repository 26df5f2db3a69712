// Maps a memory to iCE40 UltraPlus SB_SPRAM256KA blocks (16 bits x 16K each, side by side for wider words). Used by
// src/fpga/build.ts for the memories it selects by name (the crossbar tile's `weights`), after Yosys has collected
// them and before its own RAM mapping. SPRAM has one port: the address is the write address in a cycle with a
// write and the read address otherwise, so the memory's read and write ports must never be enabled in one cycle (the
// tile writes only while idle and reads only while scanning). A write leaves DATAOUT undefined; the tile uses read
// data only in the cycle after a read. SPRAM cannot be initialised: the FPGA top writes every weight word after reset.
module \$mem_v2 (RD_CLK, RD_EN, RD_ARST, RD_SRST, RD_ADDR, RD_DATA, WR_CLK, WR_EN, WR_ADDR, WR_DATA);
  parameter MEMID = "";
  parameter signed SIZE = 0;
  parameter OFFSET = 0;
  parameter ABITS = 0;
  parameter WIDTH = 0;
  parameter signed INIT = 1'bx;
  parameter RD_PORTS = 0;
  parameter RD_CLK_ENABLE = 0;
  parameter RD_CLK_POLARITY = 0;
  parameter RD_TRANSPARENCY_MASK = 0;
  parameter RD_COLLISION_X_MASK = 0;
  parameter RD_WIDE_CONTINUATION = 0;
  parameter RD_CE_OVER_SRST = 0;
  parameter RD_ARST_VALUE = 0;
  parameter RD_SRST_VALUE = 0;
  parameter RD_INIT_VALUE = 0;
  parameter WR_PORTS = 0;
  parameter WR_CLK_ENABLE = 0;
  parameter WR_CLK_POLARITY = 0;
  parameter WR_PRIORITY_MASK = 0;
  parameter WR_WIDE_CONTINUATION = 0;
  input [RD_PORTS-1:0] RD_CLK;
  input [RD_PORTS-1:0] RD_EN;
  input [RD_PORTS-1:0] RD_ARST;
  input [RD_PORTS-1:0] RD_SRST;
  input [RD_PORTS*ABITS-1:0] RD_ADDR;
  output [RD_PORTS*WIDTH-1:0] RD_DATA;
  input [WR_PORTS-1:0] WR_CLK;
  input [WR_PORTS*WIDTH-1:0] WR_EN;
  input [WR_PORTS*ABITS-1:0] WR_ADDR;
  input [WR_PORTS*WIDTH-1:0] WR_DATA;
  // one synchronous read port and one write port on the same rising clock, no read reset, at most 16K words
  parameter _TECHMAP_CONSTMSK_RD_ARST_ = 0;
  parameter _TECHMAP_CONSTVAL_RD_ARST_ = 0;
  parameter _TECHMAP_CONSTMSK_RD_SRST_ = 0;
  parameter _TECHMAP_CONSTVAL_RD_SRST_ = 0;
  wire _TECHMAP_FAIL_ = RD_PORTS != 1 || WR_PORTS != 1 || ABITS > 14 || SIZE > 16384 || OFFSET != 0 || RD_CLK_ENABLE != 1 || WR_CLK_ENABLE != 1 || RD_CLK_POLARITY != 1 || WR_CLK_POLARITY != 1 || _TECHMAP_CONSTMSK_RD_ARST_ != 1 || _TECHMAP_CONSTVAL_RD_ARST_ != 0 || _TECHMAP_CONSTMSK_RD_SRST_ != 1 || _TECHMAP_CONSTVAL_RD_SRST_ != 0;
  localparam N = (WIDTH + 15) / 16;
  wire [16*N-1:0] wdata = WR_DATA;
  wire [16*N-1:0] wen = WR_EN;
  wire [16*N-1:0] rdata;
  wire we = |WR_EN;
  wire [13:0] addr = we ? WR_ADDR : RD_ADDR;
  genvar i;
  generate for (i = 0; i < N; i = i + 1) begin : slice
    SB_SPRAM256KA ram (.ADDRESS(addr), .DATAIN(wdata[16*i +: 16]), .MASKWREN({wen[16*i+12], wen[16*i+8], wen[16*i+4], wen[16*i]}), .WREN(we), .CHIPSELECT(we | RD_EN[0]), .CLOCK(RD_CLK[0]), .STANDBY(1'b0), .SLEEP(1'b0), .POWEROFF(1'b1), .DATAOUT(rdata[16*i +: 16]));
  end endgenerate
  assign RD_DATA = rdata[WIDTH-1:0];
endmodule
