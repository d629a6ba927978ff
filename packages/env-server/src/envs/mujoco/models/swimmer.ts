/**
 * Swimmer: three capsule links in a viscous, dense medium (MuJoCo's inertia-box fluid model propels it); no
 * contacts. Written from the physical parameters of Gymnasium's swimmer.xml.
 */
export const SWIMMER_XML = `
<mujoco model="swimmer">
  <compiler angle="degree" inertiafromgeom="true"/>
  <option timestep="0.01" integrator="RK4" density="4000" viscosity="0.1"/>
  <size memory="1M"/>
  <default>
    <geom contype="0" conaffinity="0" condim="1"/>
    <joint armature="0.1"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" pos="0 0 -0.1" size="40 40 0.1" condim="3"/>
    <body name="torso" pos="0 0 0">
      <joint name="slider1" type="slide" axis="1 0 0"/>
      <joint name="slider2" type="slide" axis="0 1 0"/>
      <joint name="free_body_rot" type="hinge" axis="0 0 1"/>
      <geom name="frontbody" type="capsule" fromto="1.5 0 0 0.5 0 0" size="0.1" density="1000"/>
      <body name="mid" pos="0.5 0 0">
        <joint name="motor1_rot" type="hinge" axis="0 0 1" range="-100 100"/>
        <geom name="midbody" type="capsule" fromto="0 0 0 -1 0 0" size="0.1" density="1000"/>
        <body name="back" pos="-1 0 0">
          <joint name="motor2_rot" type="hinge" axis="0 0 1" range="-100 100"/>
          <geom name="backbody" type="capsule" fromto="0 0 0 -1 0 0" size="0.1" density="1000"/>
        </body>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor joint="motor1_rot" gear="150" ctrlrange="-1 1"/>
    <motor joint="motor2_rot" gear="150" ctrlrange="-1 1"/>
  </actuator>
</mujoco>
`;
